// A gSOAP client of the interop service (tests/fixtures/interop/service.wsdl), from the proxy
// classes soapcpp2 makes from wsdl2h's reading of the WSDL. Built and run by
// tests/tests/interop.rs against a generated Rust server.
//
// Usage: client SOAP11_URL SOAP12_URL ENCODED_URL. It makes the same calls as every client of
// the interop tests (tests/interop/README.md) and prints what it got, one "call.field=value"
// line each, for the test to check; it exits 0 whatever the answers were, and 1 only when it
// could not run.

#include "soapInventorySoapProxy.h"
#include "soapStockSoapEncodedProxy.h"
#include "InventorySoap.nsmap"

#include <cstdio>
#include <string>

namespace {

// The namespace table with SOAP 1.1's envelope and encoding namespaces first, where the
// generated one (SOAP 1.2 first, as the WSDL has a SOAP 1.2 binding) would make every request
// SOAP 1.2: soap_set_version does not last past the next message in a proxy.
struct Namespace soap11_namespaces[sizeof namespaces / sizeof namespaces[0]];

void use_version(struct soap *soap, short version) {
    soap_set_namespaces(soap, version == 1 ? soap11_namespaces : namespaces);
}

void line(const std::string &call, const char *field, const std::string &value) {
    printf("%s.%s=%s\n", call.c_str(), field, value.c_str());
}

const char *level_name(struct soap *soap, ns2__StockLevel level) {
    return soap_ns2__StockLevel2s(soap, level);
}

// What a failed call got: a fault (code, reason, typed detail) or another error.
void failure(struct soap *soap, const std::string &call) {
    if (soap->error != SOAP_FAULT && soap->error != SOAP_CLI_FAULT && soap->error != SOAP_SVR_FAULT) {
        char text[1024];
        soap_sprint_fault(soap, text, sizeof text);
        for (char *c = text; *c; c++)
            if (*c == '\n') *c = ' ';
        line(call, "error", text);
        return;
    }
    const char *code = *soap_faultcode(soap);
    line(call, "fault.code", code ? code : "");
    const char *reason = *soap_faultstring(soap);
    line(call, "fault.reason", reason ? reason : "");
    SOAP_ENV__Detail *detail = soap->version == 2 ? soap->fault->SOAP_ENV__Detail : soap->fault->detail;
    if (detail && detail->ns2__UnknownSku) {
        line(call, "UnknownSku.sku", detail->ns2__UnknownSku->sku);
        if (detail->ns2__UnknownSku->suggestion)
            line(call, "UnknownSku.suggestion", *detail->ns2__UnknownSku->suggestion);
    }
    if (detail && detail->ns2__AccessDenied) {
        line(call, "AccessDenied.user", detail->ns2__AccessDenied->user);
        line(call, "AccessDenied.reason", detail->ns2__AccessDenied->reason);
    }
}

void lookup(InventorySoapProxy &proxy, const std::string &call, const char *url, short version,
            const char *token, const char *sku, const char *warehouse) {
    struct soap *soap = proxy.soap;
    use_version(soap, version);
    _ns2__Auth auth;
    auth.user = "alice";
    auth.token = token;
    proxy.soap_header(&auth, NULL);
    _ns2__LookupItem request;
    request.sku = sku;
    std::string place = warehouse ? warehouse : "";
    request.warehouse = warehouse ? &place : NULL;
    _ns2__LookupItemResponse response;
    if (proxy.LookupItem(url, NULL, &request, response) != SOAP_OK) {
        failure(soap, call);
    } else if (response.item == NULL) {
        line(call, "error", "no item");
    } else {
        const ns2__Item &item = *response.item;
        line(call, "sku", item.sku);
        line(call, "name", item.name);
        line(call, "quantity", std::to_string(item.quantity));
        line(call, "price", item.price);
        line(call, "level", level_name(soap, item.level));
        std::string tags;
        for (const std::string &tag : item.tag)
            tags += (tags.empty() ? "" : ",") + tag;
        line(call, "tags", tags);
        if (item.restocked)
            line(call, "restocked", soap_dateTime2s(soap, *item.restocked));
        _ns2__Quota *quota = soap->header ? soap->header->ns2__Quota : NULL;
        if (quota) {
            line(call, "Quota.remaining", std::to_string(quota->remaining));
            line(call, "Quota.servedBy", quota->servedBy);
        }
    }
    proxy.destroy();
}

// AdjustStock through either binding's proxy, whose response types differ by name only.
template <class Proxy, class Response>
void adjust(Proxy &proxy, const std::string &call, const char *url, short version,
            const char *sku, int delta) {
    struct soap *soap = proxy.soap;
    use_version(soap, version);
    proxy.soap_noheader();
    Response response;
    if (proxy.AdjustStock(url, NULL, sku, delta, response) != SOAP_OK) {
        failure(soap, call);
    } else {
        line(call, "quantity", std::to_string(response.quantity));
        line(call, "level", level_name(soap, response.level));
    }
    proxy.destroy();
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s SOAP11_URL SOAP12_URL ENCODED_URL\n", argv[0]);
        return 1;
    }
    for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
        soap11_namespaces[i] = namespaces[i];
        if (i < 2 && namespaces[i].in) {
            soap11_namespaces[i].ns = namespaces[i].in;
            soap11_namespaces[i].in = namespaces[i].ns;
        }
    }
    // Strict: a response that does not follow the schema is an error, not a guess.
    InventorySoapProxy inventory(SOAP_XML_STRICT | SOAP_C_UTFSTRING);
    StockSoapEncodedProxy stock(SOAP_XML_STRICT | SOAP_C_UTFSTRING);
    const struct { const char *name; const char *url; short version; } bindings[] = {
        {"soap11", argv[1], 1},
        {"soap12", argv[2], 2},
    };
    for (const auto &binding : bindings) {
        std::string name = binding.name;
        lookup(inventory, name + ".lookup", binding.url, binding.version, "s3cret", "BOLT-M4", "north");
        lookup(inventory, name + ".lookup_all", binding.url, binding.version, "s3cret", "GEAR-20", NULL);
        lookup(inventory, name + ".unknown", binding.url, binding.version, "s3cret", "BOLT-X", NULL);
        lookup(inventory, name + ".denied", binding.url, binding.version, "guess", "BOLT-M4", NULL);
        auto adjust_inventory = adjust<InventorySoapProxy, ns1__AdjustStockResponse>;
        adjust_inventory(inventory, name + ".adjust", binding.url, binding.version, "BOLT-M4", -20);
        adjust_inventory(inventory, name + ".adjust_unknown", binding.url, binding.version, "NUT-M4", 1);
        adjust_inventory(inventory, name + ".adjust_short", binding.url, binding.version, "GEAR-20", -1);
    }
    auto adjust_encoded = adjust<StockSoapEncodedProxy, ns3__AdjustStockResponse>;
    adjust_encoded(stock, "encoded.adjust", argv[3], 1, "BOLT-M4", 7);
    adjust_encoded(stock, "encoded.adjust_unknown", argv[3], 1, "BOLT-X", 1);
    return 0;
}
