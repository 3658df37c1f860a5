"""The graded tests need the workbook's pytest plugin (installed with the package)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("workbook"):
        raise pytest.UsageError(
            "採点プラグインが読み込まれていません。`bash scripts/grade.sh` で準備してから実行してください。\n"
            "The workbook's grading plugin is not loaded: run `bash scripts/grade.sh` (it installs the "
            "workbook with `pip install -c constraints.txt -e .`), or do not disable the plugin with -p no:workbook."
        )
