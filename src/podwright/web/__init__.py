"""Layer 5, the studio web app: server-rendered pages over the Python API (``podwright studio``).

Import :func:`podwright.web.app.create_app`; FastAPI is the optional ``studio`` extra, so nothing
here is imported by ``import podwright``.
"""
