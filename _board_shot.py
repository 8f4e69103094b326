import subprocess, sys
from ui.tools.xvfb import XScreen
w, h = int(sys.argv[1]), int(sys.argv[2])
with XScreen(w, h) as screen:
    subprocess.run([sys.executable, "-m", "tests.ui.board_screen", *sys.argv[3:]], env={**screen.env}, check=True)
