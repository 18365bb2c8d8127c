"""`make wheel` builds a wheel that carries libordercore.so.0: installed with pip into a clean virtual
environment it works with no ORDERCORE_LIBRARY and no PYTHONPATH."""
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_the_wheel_installs_into_a_clean_venv_and_finds_its_library(tmp_path):
    library = os.environ["ORDERCORE_LIBRARY"]
    built = subprocess.run([sys.executable, os.path.join(ROOT, "bindings", "python", "build_wheel.py"), library, str(tmp_path)],
                           capture_output=True, text=True, check=True)
    wheel = built.stdout.strip()
    assert wheel.endswith(".whl") and "-py3-none-linux" in wheel
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("ORDERCORE_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH")}
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-index", "--no-deps", wheel],
                   check=True, env=env)
    script = (
        "import ordercore, os\n"
        "with ordercore.open('w.db') as db:\n"
        "    db.sku_upsert('MUG-1', name='Mug'); db.warehouse_upsert('SH')\n"
        "    print(db.stock_receive('MUG-1', 'SH', 3)['on_hand'], os.path.dirname(ordercore.__file__))\n"
    )
    run = subprocess.run([python, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    on_hand, package = run.stdout.split()
    assert on_hand == "3" and package.startswith(str(venv))
