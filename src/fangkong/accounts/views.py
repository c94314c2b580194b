from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.audit.services import record
from fangkong.regions.models import Division

from .models import ApiToken
from .roles import CAPABILITIES, CHECKPOINTS_REGISTER
from .scoping import active_assignments
from .services import token_create, token_revoke


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    record(user, "login", request=request)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record(user, "logout", request=request)


@receiver(user_login_failed)
def _audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is not personal data of a resident; the password never is logged.
    record(None, "login_failed", request=request, detail={"username": str(credentials.get("username", ""))[:150]})


@login_required
def home(request):
    """What is theirs: one panel per assignment, with the place and its counts."""
    assignments = active_assignments(request.user)
    panels = []
    for a in assignments:
        children = Division.objects.filter(parent_code=a.division_id).order_by("code")[:60]
        panels.append({"assignment": a, "division": a.division, "children": children})
    duty = None
    if any(CHECKPOINTS_REGISTER in CAPABILITIES[a.role] for a in assignments):
        # A checkpoint worker's way in: their shift now (or next), one tap to
        # the registration screen; else the checkpoints they may register at.
        from fangkong.checkpoints.selectors import my_shifts, registrable_checkpoints

        now = timezone.now()
        shifts = my_shifts(user=request.user, at=now)
        checkpoints, total = ([], 0) if shifts else registrable_checkpoints(user=request.user)
        duty = {
            "shifts": [{"shift": s, "now": s.starts_at <= now} for s in shifts],
            "checkpoints": checkpoints,
            "more": total - len(checkpoints),
        }
    return render(request, "accounts/home.html", {"panels": panels, "duty": duty})


@login_required
def tokens(request):
    raw = None
    if request.method == "POST":
        try:
            _token, raw = token_create(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    items = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "raw": raw, "name": request.POST.get("name", "")})


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(user=request.user, token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")
