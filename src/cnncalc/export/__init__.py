"""Writing a spec in another framework's terms, as text: cnncalc never imports the framework.

:mod:`.lowering` maps every layer kind to the PyTorch modules that implement it (pure data, also used
by the analysis to note layers PyTorch would reject as written, and by the counting conventions that
reproduce PyTorch tools); :mod:`.pytorch` writes those modules out as a self-contained Python file.
"""
