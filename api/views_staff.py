"""Integration pages: tokens and webhooks (clinic admin), appointment import (reception and admin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import services, webhooks
from api.forms import TokenForm, WebhookForm
from api.models import IntegrationToken, WebhookDelivery, WebhookEndpoint
from portal import audit
from portal.access import AuthenticatedHttpRequest, get_for_staff, role_required
from portal.roles import Role

# Post/redirect/get for what is shown once: the POST keeps it in the session, the next GET pops it.
# A reload or Back then shows the empty form again and creates nothing.
NEW_TOKEN_SESSION_KEY = "integrations.new_token"  # noqa: S105 - a session key name; holds the id and secret until the next GET
NEW_WEBHOOK_SESSION_KEY = "integrations.new_webhook"  # the endpoint's id (its secret is on the row)


@role_required(Role.CLINIC_ADMIN)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    tokens = IntegrationToken.objects.select_related("created_by")
    endpoints = list(WebhookEndpoint.objects.all())
    audit.record(
        "api.integrations_viewed", request=request, details={"tokens": tokens.count(), "webhooks": len(endpoints)}
    )
    return render(
        request,
        "api/overview.html",
        {
            "tokens": tokens,
            "endpoints": endpoints,
            "disabled": [e for e in endpoints if not e.enabled and e.disabled_reason],
        },
    )


@role_required(Role.CLINIC_ADMIN)
@never_cache
def token_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET" and (new := request.session.pop(NEW_TOKEN_SESSION_KEY, None)):
        token = get_for_staff(request, IntegrationToken.objects.all(), new["id"])
        return render(request, "api/token_created.html", {"token": token, "secret": new["secret"]})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, secret = services.create_token(
            name=data["name"],
            scopes=data["scopes"],
            source=data["source"],
            allowed_networks=data["allowed_networks"],
            expires_at=form.expires_at(),
            by=request.user,
            request=request,
        )
        request.session[NEW_TOKEN_SESSION_KEY] = {"id": str(token.pk), "secret": secret}
        return redirect("integrations:token_new")
    audit.record("api.token_form_viewed", request=request)
    return render(request, "api/token_form.html", {"form": form})


@role_required(Role.CLINIC_ADMIN)
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id) -> HttpResponse:
    token = get_for_staff(request, IntegrationToken.objects.all(), token_id)
    services.revoke_token(token=token, by=request.user, request=request)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("integrations:overview")


@role_required(Role.CLINIC_ADMIN)
@never_cache
def webhook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET" and (endpoint_id := request.session.pop(NEW_WEBHOOK_SESSION_KEY, None)):
        endpoint = get_for_staff(request, WebhookEndpoint.objects.all(), endpoint_id)
        return render(request, "api/webhook_created.html", {"endpoint": endpoint})
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        endpoint = services.create_endpoint(
            name=data["name"],
            url=data["url"],
            events=data["events"],
            allow_private_network=data["allow_private_network"],
            by=request.user,
            request=request,
        )
        request.session[NEW_WEBHOOK_SESSION_KEY] = str(endpoint.pk)
        return redirect("integrations:webhook_new")
    audit.record("api.webhook_form_viewed", request=request)
    return render(request, "api/webhook_form.html", {"form": form})


@role_required(Role.CLINIC_ADMIN)
def webhook_detail(request: AuthenticatedHttpRequest, endpoint_id) -> HttpResponse:
    endpoint = get_for_staff(request, WebhookEndpoint.objects.all(), endpoint_id)
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).only(
        "id",
        "event",
        "created_at",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "endpoint_id",
    )[:100]
    audit.record("webhook.log_viewed", request=request, obj=endpoint)
    return render(request, "api/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@role_required(Role.CLINIC_ADMIN)
@require_POST
def webhook_toggle(request: AuthenticatedHttpRequest, endpoint_id) -> HttpResponse:
    endpoint = get_for_staff(request, WebhookEndpoint.objects.all(), endpoint_id)
    services.set_endpoint_enabled(endpoint=endpoint, enabled=not endpoint.enabled, by=request.user, request=request)
    if endpoint.enabled:
        webhooks.requeue_pending(endpoint)  # the tries skipped while it was off
    messages.success(request, "The webhook is on." if endpoint.enabled else "The webhook is off.")
    return redirect("integrations:webhook", endpoint_id=endpoint.pk)
