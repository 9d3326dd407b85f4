"""A zeep client of the interop service, run by tests/tests/interop.rs against a generated Rust
server.

Usage: zeep_client.py WSDL SOAP11_URL SOAP12_URL ENCODED_URL

It makes the calls every client of the interop tests makes (tests/interop/README.md), then
posts malformed requests, each followed by a good one, and prints what it got, one
"call.field=value" line each, for the test to check. It exits 0 whatever the answers were.
Faults are read as zeep reads them, and their detail is parsed with zeep's own reading of the
schema, so a detail zeep cannot type shows up as missing fields.
"""

import sys

import requests
import zeep
from zeep.exceptions import Fault

TYPES = "{urn:example:inventory:types}"
WSDL_NS = "{urn:example:inventory}"


def line(call, field, value):
    text = "" if value is None else str(value)
    print(f"{call}.{field}={text}".replace("\n", " "))


def failure(client, call, error):
    if not isinstance(error, Fault):
        line(call, "error", f"{type(error).__name__}: {error}")
        return
    line(call, "fault.code", error.code)
    line(call, "fault.reason", error.message)
    detail = error.detail
    if detail is None or len(detail) == 0:
        return
    element = detail[0]
    name = element.tag.split("}")[-1]
    typed = client.get_element(TYPES + name).parse(element, client.wsdl.types)
    if name == "UnknownSku":
        line(call, "UnknownSku.sku", typed.sku)
        if typed.suggestion is not None:
            line(call, "UnknownSku.suggestion", typed.suggestion)
    elif name == "AccessDenied":
        line(call, "AccessDenied.user", typed.user or "")
        line(call, "AccessDenied.reason", typed.reason)


def lookup(client, service, call, token, sku, warehouse):
    auth = client.get_element(TYPES + "Auth")(user="alice", token=token)
    try:
        result = service.LookupItem(sku=sku, warehouse=warehouse, _soapheaders=[auth])
    except Exception as error:  # noqa: BLE001 - every failure is reported, not raised
        failure(client, call, error)
        return
    item = result.body.item
    line(call, "sku", item.sku)
    line(call, "name", item.name)
    line(call, "quantity", item.quantity)
    # str(Decimal) keeps the digits as sent; normalising would hide a change of scale.
    line(call, "price", item.price)
    line(call, "level", item.level)
    line(call, "tags", ",".join(item.tag))
    if item.restocked is not None:
        line(call, "restocked", item.restocked.strftime("%Y-%m-%dT%H:%M:%SZ"))
    quota = result.header.quota
    if quota is not None:
        line(call, "Quota.remaining", quota.remaining)
        line(call, "Quota.servedBy", quota.servedBy)


def adjust(client, service, call, sku, delta):
    try:
        result = service.AdjustStock(sku=sku, delta=delta)
    except Exception as error:  # noqa: BLE001
        failure(client, call, error)
        return
    line(call, "quantity", result.quantity)
    line(call, "level", result.level)


ENVELOPE_11 = "http://schemas.xmlsoap.org/soap/envelope/"
ENVELOPE_12 = "http://www.w3.org/2003/05/soap-envelope"


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def envelope(version_ns, body):
    return f'{XML_DECLARATION}<s:Envelope xmlns:s="{version_ns}"><s:Body>{body}</s:Body></s:Envelope>'


# (name, SOAP 1.2?, body): requests the server must answer with a fault: Client/Sender, or
# MustUnderstand for a header it is told it must understand and does not know.
MALFORMED = [
    ("not_xml", False, "this is not XML at all"),
    ("truncated", False, envelope(ENVELOPE_11, '<i:LookupItem xmlns:i="urn:example:inventory:types"><i:sku>BOLT')[:-30]),
    ("not_soap", False, '<?xml version="1.0"?><LookupItem xmlns="urn:example:inventory:types"/>'),
    ("unknown_operation", False, envelope(ENVELOPE_11, '<i:DeleteItem xmlns:i="urn:example:inventory:types"/>')),
    ("missing_sku", False, envelope(ENVELOPE_11, '<i:LookupItem xmlns:i="urn:example:inventory:types"/>')),
    ("bad_int", False, envelope(ENVELOPE_11, '<i:AdjustStock xmlns:i="urn:example:inventory"><sku>BOLT-M4</sku><delta>lots</delta></i:AdjustStock>')),
    ("dtd", False, envelope(ENVELOPE_11, "&a;").replace("?>", '?><!DOCTYPE s:Envelope [<!ENTITY a "aaaa">]>', 1)),
    (
        "must_understand",
        False,
        envelope(ENVELOPE_11, '<i:LookupItem xmlns:i="urn:example:inventory:types"><i:sku>BOLT-M4</i:sku></i:LookupItem>').replace(
            "<s:Body>",
            '<s:Header><i:Auth xmlns:i="urn:example:inventory:types" s:mustUnderstand="1"><i:user>alice</i:user>'
            '<i:token>s3cret</i:token></i:Auth><x:Trace xmlns:x="urn:example:trace" s:mustUnderstand="1">7</x:Trace>'
            "</s:Header><s:Body>",
        ),
    ),
    ("bad_int_12", True, envelope(ENVELOPE_12, '<i:AdjustStock xmlns:i="urn:example:inventory"><sku>BOLT-M4</sku><delta>9999999999</delta></i:AdjustStock>')),
]


def malformed(client, urls):
    """Posts each malformed request and reads the answer as zeep reads a reply."""
    bindings = {
        False: client.wsdl.bindings[WSDL_NS + "InventorySoap"],
        True: client.wsdl.bindings[WSDL_NS + "InventorySoap12"],
    }
    session = requests.Session()
    for name, soap12, body in MALFORMED:
        call = "malformed." + name
        content_type = "application/soap+xml; charset=utf-8" if soap12 else "text/xml; charset=utf-8"
        response = session.post(
            urls[soap12], data=body.encode("utf-8"), headers={"Content-Type": content_type}, timeout=10
        )
        line(call, "status", response.status_code)
        line(call, "content_type", response.headers.get("Content-Type"))
        binding = bindings[soap12]
        try:
            binding.process_reply(client, binding.get("LookupItem"), response)
            line(call, "error", "answered as a success")
        except Exception as error:  # noqa: BLE001
            failure(client, call, error)


def main():
    wsdl, url11, url12, url_encoded = sys.argv[1:5]
    client = zeep.Client(wsdl, settings=zeep.Settings(strict=True))
    services = {
        "soap11": client.create_service(WSDL_NS + "InventorySoap", url11),
        "soap12": client.create_service(WSDL_NS + "InventorySoap12", url12),
    }
    for name, service in services.items():
        lookup(client, service, name + ".lookup", "s3cret", "BOLT-M4", "north")
        lookup(client, service, name + ".lookup_all", "s3cret", "GEAR-20", None)
        lookup(client, service, name + ".unknown", "s3cret", "BOLT-X", None)
        lookup(client, service, name + ".denied", "guess", "BOLT-M4", None)
        adjust(client, service, name + ".adjust", "BOLT-M4", -20)
        adjust(client, service, name + ".adjust_unknown", "NUT-M4", 1)
        adjust(client, service, name + ".adjust_short", "GEAR-20", -1)
    encoded = client.create_service(WSDL_NS + "StockSoapEncoded", url_encoded)
    adjust(client, encoded, "encoded.adjust", "BOLT-M4", 7)
    adjust(client, encoded, "encoded.adjust_unknown", "BOLT-X", 1)
    malformed(client, {False: url11, True: url12})
    # The server goes on serving after all of that.
    lookup(client, services["soap11"], "after_malformed", "s3cret", "BOLT-M4", "south")


if __name__ == "__main__":
    main()
