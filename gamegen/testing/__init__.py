"""The conformance kit: check any generator, built-in or plugin, against the gamegen contract.

    from gamegen.testing import check_generator
    check_generator("texture.my_stars")   # raises ConformanceError naming every broken rule

Under pytest the ``gamegen_conformance`` fixture does the same with bundles kept in ``tmp_path``. Trainers:
``check_trainer("image.my_method", tiny_data_folder)``.
"""

from .bundle_checks import InvalidBundleError, bundle_files, check_bundle
from .conformance import CHECKS, ConformanceError, ConformanceReport, check_generator
from .params_checks import out_of_range_values, wrong_type_values
from .rng_guard import GlobalRandomError, forbid_global_rng
from .trainer_checks import TRAINER_CHECKS, check_trainer

__all__ = [
    "CHECKS",
    "TRAINER_CHECKS",
    "ConformanceError",
    "ConformanceReport",
    "GlobalRandomError",
    "InvalidBundleError",
    "bundle_files",
    "check_bundle",
    "check_generator",
    "check_trainer",
    "forbid_global_rng",
    "out_of_range_values",
    "wrong_type_values",
]
