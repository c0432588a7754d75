"""The installable web app (PWA): its manifest and its service worker, served from the site's root so
that the worker's scope is the whole site. Both are public (a phone asks for them before and after
logging in) and say nothing about anyone: the pages the worker keeps for offline use are fetched with
the user's own session, by the user's own phone.

The worker (templates/pwa/sw.js) keeps the offline inspection entry page and the static files it
needs, answers them from its cache when there is no connection, and never touches the API: the page's
own queue (static/js/offline/) sends what was recorded when the connection is back."""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# What the offline entry page needs besides itself: kept when the worker is installed.
SHELL_ASSETS = (
    "css/site.css",
    "css/offline.css",
    "js/offline/entry.js",
    "js/offline/queue.js",
    "js/offline/photos.js",
    "js/offline/sync.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "favicon.ico",
)


def _offline_pages() -> list[str]:
    return [reverse("inspections:offline-record")]


@login_not_required
@require_GET
def manifest(request):
    """The web app manifest: installed, the app opens on the offline inspection entry page."""
    body = {
        "name": _("消防工作平台"),
        "short_name": _("消防检查"),
        "lang": request.LANGUAGE_CODE,
        "start_url": _offline_pages()[0],
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "icons": [
            {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_not_required
@never_cache
@require_GET
def service_worker(request):
    """The service worker, at the site's root (`Service-Worker-Allowed: /`). Its version is the hash of
    what it keeps, so a new release (new static names) installs a new worker that drops the old cache."""
    assets = [static(name) for name in SHELL_ASSETS]
    pages = _offline_pages()
    version = hashlib.sha256("\n".join([*assets, *pages]).encode()).hexdigest()[:12]
    config = {
        "version": version,
        "assets": assets,
        "pages": pages,
        "login": reverse("login"),
        "static": static(""),
    }
    script = render_to_string("pwa/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
