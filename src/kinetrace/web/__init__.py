"""The Kinetrace clinic web app (Django): patients, whole-body exam, trial workbench, sessions.

Every computation goes through the core (:func:`kinetrace.analyse` on the case built by
:mod:`kinetrace.web.casefile`); the core never imports this package. Settings live in
:mod:`kinetrace.web.settings`; ``python -m kinetrace.web <command>`` is the ``manage.py``.
"""
