"""The public surface of cevnsjax.inference (a deliberate list; change it on purpose)."""

import inspect

import cevnsjax.inference as inference
from cevnsjax import likelihood


def test_public_names():
    assert sorted(inference.__all__) == sorted(
        [
            "LEVELS_1D",
            "LEVELS_2D",
            "ExclusionResult",
            "ExposureScaled",
            "FeldmanCousinsResult",
            "FitResult",
            "FitWarning",
            "NamedMatrix",
            "PrecisionWarning",
            "Profile2DResult",
            "ProfileResult",
            "SampleResult",
            "ScanResult",
            "SensitivityResult",
            "Solution",
            "ToysResult",
            "crossing",
            "design_chi2",
            "exclusion",
            "feldman_cousins",
            "fit",
            "initialize_distributed",
            "interval_width",
            "load",
            "minimize",
            "profile",
            "profile2d",
            "sample",
            "scan",
            "sensitivity",
            "toys",
            "upper_limit",
        ]
    )
    assert callable(likelihood.combine)


def test_signatures():
    def params(f):
        return list(inspect.signature(f).parameters)

    assert params(inference.fit) == [
        "model",
        "free",
        "fixed",
        "start",
        "constraints",
        "engine",
        "minos",
        "tolerance",
        "max_steps",
        "restarts",
    ]
    assert params(inference.profile)[:7] == ["model", "name", "grid", "free", "fixed", "start", "constraints"]
    assert params(inference.profile2d)[:3] == ["model", "names", "grids"]
    assert params(inference.scan)[:3] == ["model", "grid", "fixed"]
    assert params(inference.sample)[:9] == [
        "model",
        "free",
        "fixed",
        "start",
        "constraints",
        "chains",
        "samples",
        "warmup",
        "seed",
    ]
    assert params(likelihood.combine) == ["models", "shared", "name", "electroweak"]
