"""The channels, one function each: put one delivery on the wire, or raise SendError with a reason a
person can act on. The reason never holds the address's key or a secret: it is stored and shown in
the admin, and logged.

- email: Django's mail backend;
- WeChat Work group robot (企业微信群机器人): JSON to the webhook, @ by mobile;
- DingTalk custom robot (钉钉自定义机器人): JSON to the webhook, signed with the robot's secret
  (timestamp + HMAC-SHA256), @ by mobile;
- SMS: the request shape of the common Chinese SMS HTTP APIs — template code and JSON template
  parameters, AccessKey ID and an HMAC-SHA1 signature over the sorted parameters.

What leaves the site is written in one language, DELIVERY_LANGUAGE: the county's own (Chinese,
settings.LANGUAGE_CODE). Deliveries go to the county's channels — a township's or the county's work
group, where one message reaches everybody in it, and the county's SMS gateway whose templates are
registered in Chinese — and the site stores no language per person (the pages follow each browser's
cookie or Accept-Language), so there is no reader's language to follow. The inbox and the API show
each reader a reminder in their own language; the deliveries, digests and the stored failure reasons
(shown in the admin) are in DELIVERY_LANGUAGE.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import smtplib
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from notifications.models import Channel, ChannelEndpoint, Delivery

DELIVERY_LANGUAGE = settings.LANGUAGE_CODE


class SendError(Exception):
    """The channel refused or could not be reached; str() is the stored reason."""


def endpoint_secret(endpoint: ChannelEndpoint) -> str:
    """The endpoint's secret: from the admin, else from the server's CHANNEL_SECRETS by name."""
    return endpoint.secret or settings.CHANNEL_SECRETS.get(endpoint.name, "")


def absolute_link(delivery: Delivery) -> str:
    """The delivery's link as a phone opens it: a path of the site under SITE_URL."""
    return f"{settings.SITE_URL}{delivery.url}" if delivery.url.startswith("/") else delivery.url


def message_text(delivery: Delivery) -> str:
    link = absolute_link(delivery)
    see = link and _("查看：%(link)s") % {"link": link}
    return "\n".join(part for part in (delivery.title, delivery.text, see) if part)


def _post(url: str, *, body: bytes, content_type: str) -> dict:
    """POST and return the JSON answer; every failure becomes a SendError without the URL."""
    request = urllib.request.Request(  # noqa: S310 - the address is the county's own configuration
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.DELIVERY_HTTP_TIMEOUT) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(_("接口返回 HTTP %(code)s") % {"code": exc.code}) from None
    except TimeoutError:
        raise SendError(_("接口无应答（超时）")) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise SendError(_("接口无应答（超时）")) from None
        raise SendError(_("无法连接接口（%(error)s）") % {"error": type(reason).__name__}) from None
    except (OSError, ValueError) as exc:
        raise SendError(_("无法连接接口（%(error)s）") % {"error": type(exc).__name__}) from None
    try:
        answer = json.loads(raw)
    except ValueError:
        raise SendError(_("接口应答不是 JSON")) from None
    if not isinstance(answer, dict):
        raise SendError(_("接口应答格式不正确"))
    return answer


def _robot_answer(answer: dict, name: str) -> None:
    if answer.get("errcode") != 0:
        message = str(answer.get("errmsg", ""))[:120]
        raise SendError(
            _("%(robot)s返回 errcode %(code)s：%(message)s")
            % {"robot": name, "code": answer.get("errcode"), "message": message}
        )


def send_email(delivery: Delivery, endpoint: ChannelEndpoint | None) -> None:
    try:
        send_mail(delivery.title, message_text(delivery), None, [delivery.address], fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(_("邮件服务器未接收（%(error)s）") % {"error": type(exc).__name__}) from None


def wecom_payload(delivery: Delivery) -> dict:
    return {
        "msgtype": "text",
        "text": {"content": message_text(delivery), "mentioned_mobile_list": list(delivery.mentions)},
    }


def send_wecom(delivery: Delivery, endpoint: ChannelEndpoint) -> None:
    body = json.dumps(wecom_payload(delivery), ensure_ascii=False).encode()
    _robot_answer(_post(endpoint.url, body=body, content_type="application/json"), _("企业微信"))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded by the caller."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def send_dingtalk(delivery: Delivery, endpoint: ChannelEndpoint) -> None:
    payload = {
        "msgtype": "text",
        "text": {"content": message_text(delivery)},
        "at": {"atMobiles": list(delivery.mentions), "isAtAll": False},
    }
    body = json.dumps(payload, ensure_ascii=False).encode()
    url = dingtalk_url(endpoint.url, endpoint_secret(endpoint))
    _robot_answer(_post(url, body=body, content_type="application/json"), _("钉钉"))


def _percent(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


def sms_signature(params: dict[str, str], secret: str) -> str:
    """HMAC-SHA1 over "POST&%2F&" + the sorted, percent-encoded parameters, keyed with secret + "&"."""
    canonical = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"POST&{_percent('/')}&{_percent(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


# SMS providers cap each template variable (commonly 35 characters).
SMS_PARAM_MAX = 35


def sms_template_param(delivery: Delivery) -> dict[str, str]:
    link = absolute_link(delivery)
    return {"title": delivery.title[:SMS_PARAM_MAX], "link": link[:200]}


def sms_params(delivery: Delivery, endpoint: ChannelEndpoint, *, now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now(dt.UTC)
    params = {
        "Action": "SendSms",
        "Format": "JSON",
        "Version": "2017-05-25",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": uuid.uuid4().hex,
        "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "AccessKeyId": endpoint.access_key_id,
        "PhoneNumbers": delivery.address,
        "SignName": endpoint.sign_name,
        "TemplateCode": endpoint.template_code,
        "TemplateParam": json.dumps(sms_template_param(delivery), ensure_ascii=False),
        # The provider echoes it in delivery receipts: which delivery a receipt belongs to.
        "OutId": str(delivery.pk),
    }
    params["Signature"] = sms_signature(params, endpoint_secret(endpoint))
    return params


def send_sms(delivery: Delivery, endpoint: ChannelEndpoint) -> None:
    body = urllib.parse.urlencode(sms_params(delivery, endpoint)).encode()
    answer = _post(endpoint.url, body=body, content_type="application/x-www-form-urlencoded")
    if answer.get("Code") != "OK":
        message = str(answer.get("Message", ""))[:120]
        raise SendError(
            _("短信接口返回 %(code)s：%(message)s") % {"code": answer.get("Code"), "message": message}
        )


SENDERS: dict[str, Callable[[Delivery, ChannelEndpoint | None], None]] = {
    Channel.EMAIL: send_email,
    Channel.WECOM: send_wecom,
    Channel.DINGTALK: send_dingtalk,
    Channel.SMS: send_sms,
}


def send(delivery: Delivery) -> None:
    """Send one delivery on its channel (no database access: safe in a worker thread)."""
    endpoint = delivery.endpoint
    if delivery.channel != Channel.EMAIL and (endpoint is None or not endpoint.enabled):
        raise SendError(_("推送渠道已停用或已删除"))
    SENDERS[delivery.channel](delivery, endpoint)
