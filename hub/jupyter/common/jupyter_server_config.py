"""Jupyter Server settings of every user's server on the course hub.

jupyterhub-singleuser sends `Content-Security-Policy: frame-ancestors 'none'` unless the server sets its own
header. nbgrader's formgrader is a page that JupyterLab shows inside an iframe of the same server, so with
'none' the browser refuses to draw it and instructors see an empty panel (jupyter/nbgrader#1870). Allowing
frames from the same origin makes it render and still keeps other sites from framing the server."""
c = get_config()  # noqa: F821 (provided by Jupyter Server)

settings = c.ServerApp.tornado_settings if "tornado_settings" in c.ServerApp else {}
settings.setdefault("headers", {})["Content-Security-Policy"] = "frame-ancestors 'self'"
c.ServerApp.tornado_settings = settings

# JupyterLab asks the server to fetch news and release notes from the internet; a course hub does not need it.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
