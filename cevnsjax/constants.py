"""Physical constants: two immutable PDG presets and fixed unit conversions.

Internal units are natural units with energies in MeV; lengths are converted with
hbar*c.  Cross sections leave the physics layer in cm^2 (per MeV for differential
ones).

Every physics function takes a :class:`Constants` preset as an argument (default
:data:`pdg2022` or whichever the function documents), so a user can swap presets or
build their own with ``dataclasses.replace(pdg2022, G_F=...)``.

References:
    PDG 2018 (Phys. Rev. D 98, 030001) as used by arXiv:2005.01645;
    PDG 2022 (PTEP 2022, 083C01) as used by arXiv:2402.16709.

Examples:
    >>> from cevnsjax.constants import pdg2018, pdg2022
    >>> pdg2018.G_F, pdg2022.G_F
    (1.1663787e-11, 1.1663788e-11)
"""

from __future__ import annotations

import dataclasses
import math

# Unit conversions (exact or CODATA 2018).
HBARC_MEV_FM = 197.3269804  # hbar*c in MeV fm
HBARC2_MEV2_CM2 = 3.893794e-22  # (hbar*c)^2 in MeV^2 cm^2; Eq. (1) of docs/physics.md (preamble)
#: Unit of the rates inside the folded signal path [cm^2]: rates in 1e-38 cm^2/MeV times folded weights
#: in 1e38 scatterers/cm^2 keep every array of every experiment finite and normal in float32 (docs/physics.md, preamble).
XS_UNIT_CM2 = 1e-38
AMU_MEV = 931.49410242  # atomic mass unit in MeV
N_AVOGADRO = 6.02214076e23  # 1/mol
SECONDS_PER_DAY = 86400.0


@dataclasses.dataclass(frozen=True)
class Constants:
    """A PDG constants preset (immutable).

    Attributes:
        name: preset label.
        G_F: Fermi constant [MeV^-2].
        alpha: fine-structure constant at q^2 = 0 (Thomson limit).
        sin2_theta_w: low-energy MSbar weak mixing angle sin^2 theta_W(0).
        rho: low-energy neutral-current rho parameter.
        s2_z: MSbar sin^2 theta_W(M_Z).
        alpha_z_inv: 1/alpha_hat(M_Z) (MSbar).
        alpha_s: strong coupling used in the WW and ZZ box corrections.
        m_w: W mass [MeV].
        m_e, m_mu, m_tau, m_pi: lepton and charged-pion masses [MeV].
        tau_mu, tau_pi: muon and charged-pion lifetimes [us].
    """

    name: str
    G_F: float
    alpha: float
    sin2_theta_w: float
    rho: float
    s2_z: float
    alpha_z_inv: float
    alpha_s: float
    m_w: float
    m_e: float = 0.51099895
    m_mu: float = 105.6583755
    m_tau: float = 1776.86
    m_pi: float = 139.57039
    tau_mu: float = 2.1969811
    tau_pi: float = 0.026033

    def lepton_masses(self) -> tuple[float, float, float]:
        """(m_e, m_mu, m_tau) in MeV, ordered like :data:`FLAVOURS`."""
        return (self.m_e, self.m_mu, self.m_tau)

    @property
    def mu_b(self) -> float:
        """Bohr magneton e/(2 m_e) in natural units [MeV^-1], with e = sqrt(4 pi alpha)."""
        return math.sqrt(4 * math.pi * self.alpha) / (2 * self.m_e)  # Eq. (2) of docs/physics.md


#: Neutrino flavours in the order used by every array axis over flavours.
FLAVOURS = ("e", "mu", "tau")

pdg2018 = Constants(
    name="pdg2018",
    G_F=1.1663787e-11,
    alpha=1 / 137.035999,
    sin2_theta_w=0.23857,
    rho=1.00058,
    s2_z=0.23122,
    alpha_z_inv=127.955,
    alpha_s=0.123,
    m_w=80379.0,
)

pdg2022 = Constants(
    name="pdg2022",
    G_F=1.1663788e-11,
    alpha=1 / 137.035999,
    sin2_theta_w=0.23863,
    rho=1.00063,
    s2_z=0.23121,
    alpha_z_inv=127.951,
    alpha_s=0.1200,
    m_w=80377.0,
)

PRESETS = {"pdg2018": pdg2018, "pdg2022": pdg2022}


def preset(name: str) -> Constants:
    """Look up a preset by name (``"pdg2018"`` or ``"pdg2022"``)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown constants preset '{name}'; choices: {', '.join(PRESETS)}") from None
