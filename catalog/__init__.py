"""The bundled catalog files: reporting units, indicator definitions, targets and baselines,
territories across the merger, the old-to-new crosswalk and the units' coordinates."""

from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
UNITS_CSV = CATALOG_DIR / "units.csv"
INDICATORS_CSV = CATALOG_DIR / "indicators.csv"
TARGETS_CSV = CATALOG_DIR / "targets.csv"
NATIONAL_UNITS_CSV = CATALOG_DIR / "units_vn_2025.csv"
TERRITORIES_CSV = CATALOG_DIR / "territories.csv"
CROSSWALK_CSV = CATALOG_DIR / "crosswalk.csv"
GEO_CSV = CATALOG_DIR / "geo.csv"
