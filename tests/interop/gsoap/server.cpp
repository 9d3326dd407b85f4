// The interop service (tests/fixtures/interop/service.wsdl) served by gSOAP: the service
// classes soapcpp2 makes from wsdl2h's reading of the WSDL, implemented over the catalogue that
// every peer serves (tests/interop/README.md). Built and started by tests/tests/interop.rs.
//
// Usage: server NAME. It listens on an ephemeral loopback port, prints "listening PORT" on
// standard output once it accepts connections, and serves until killed. Both bindings of
// InventoryPort (SOAP 1.1 and 1.2: gSOAP answers in the version of the request) and the
// rpc/encoded StockSoapEncoded binding are served on that one port.

#include "soapInventorySoapService.h"
#include "soapStockSoapEncodedService.h"
#include "InventorySoap.nsmap"

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <sys/socket.h>
#include <netinet/in.h>

namespace {

struct Stocked {
    const char *name;
    const char *price;
    std::vector<std::string> tags;
    const char *restocked;  // xsd:dateTime, or NULL
    int north;
    int south;
};

// The catalogue, by SKU; AdjustStock changes the north warehouse's count.
std::map<std::string, Stocked> catalogue = {
    {"BOLT-M4", {"Bolts & nuts <M4>, \xc2\xbd kg", "0.35", {"metal", "bulk"}, "2024-05-01T12:00:00Z", 120, 5}},
    {"GEAR-20", {"Gear, 20 teeth", "12.50", {}, NULL, 0, 0}},
};

const char *server_name = "gsoap";
int quota = 100;
// The SOAP version of the request being served. A service's dispatch() resets the context's
// namespace table, and with it soap->version, to the table's first (SOAP 1.2) envelope
// namespace: a fault raised after it would be written with SOAP 1.2's structure inside a
// SOAP 1.1 envelope. Each operation sets the request's version back first.
short request_version = 1;

ns2__StockLevel level_of(int quantity) {
    if (quantity == 0) return ns2__StockLevel__out_of_stock;
    if (quantity < 10) return ns2__StockLevel__low;
    return ns2__StockLevel__in_stock;
}

// Attaches a detail to the fault soap_sender_fault just made, where each SOAP version keeps it.
void attach_detail(struct soap *soap, SOAP_ENV__Detail *detail) {
    if (soap->version == 2)
        soap->fault->SOAP_ENV__Detail = detail;
    else
        soap->fault->detail = detail;
}

int unknown_sku(struct soap *soap, const std::string &sku) {
    soap_sender_fault(soap, "unknown SKU", NULL);
    SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap);
    detail->ns2__UnknownSku = soap_new__ns2__UnknownSku(soap);
    detail->ns2__UnknownSku->sku = sku;
    if (sku.compare(0, 4, "BOLT") == 0)
        detail->ns2__UnknownSku->suggestion = soap_new_std__string(soap);
    if (detail->ns2__UnknownSku->suggestion)
        *detail->ns2__UnknownSku->suggestion = "BOLT-M4";
    attach_detail(soap, detail);
    return SOAP_FAULT;
}

int access_denied(struct soap *soap, const std::string &user, const char *reason) {
    soap_sender_fault(soap, "access denied", NULL);
    SOAP_ENV__Detail *detail = soap_new_SOAP_ENV__Detail(soap);
    detail->ns2__AccessDenied = soap_new__ns2__AccessDenied(soap);
    detail->ns2__AccessDenied->user = user;
    detail->ns2__AccessDenied->reason = reason;
    attach_detail(soap, detail);
    return SOAP_FAULT;
}

// AdjustStock for both bindings: the new quantity, or a fault.
int adjust(struct soap *soap, const std::string &sku, int delta, int &quantity, ns2__StockLevel &level) {
    auto found = catalogue.find(sku);
    if (found == catalogue.end())
        return unknown_sku(soap, sku);
    Stocked &item = found->second;
    if (item.north + delta < 0)
        return soap_sender_fault(soap, "not enough stock", NULL);
    item.north += delta;
    quantity = item.north + item.south;
    level = level_of(quantity);
    return SOAP_OK;
}

class Inventory : public InventorySoapService {
  public:
    explicit Inventory(struct soap *soap) : InventorySoapService(soap) {}

    int LookupItem(_ns2__LookupItem *request, _ns2__LookupItemResponse &response) override {
        soap_set_version(soap, request_version);
        _ns2__Auth *auth = soap->header ? soap->header->ns2__Auth : NULL;
        if (auth == NULL)
            return access_denied(soap, "", "no Auth header");
        if (auth->user != "alice" || auth->token != "s3cret")
            return access_denied(soap, auth->user, "bad token");
        auto found = catalogue.find(request->sku);
        if (found == catalogue.end())
            return unknown_sku(soap, request->sku);
        const Stocked &stocked = found->second;
        ns2__Item *item = soap_new_ns2__Item(soap);
        item->sku = request->sku;
        item->name = stocked.name;
        item->price = stocked.price;
        item->tag = stocked.tags;
        if (request->warehouse == NULL)
            item->quantity = stocked.north + stocked.south;
        else if (*request->warehouse == "north")
            item->quantity = stocked.north;
        else if (*request->warehouse == "south")
            item->quantity = stocked.south;
        else
            return soap_sender_fault(soap, "unknown warehouse", NULL);
        item->level = level_of(item->quantity);
        if (stocked.restocked) {
            item->restocked = (time_t *)soap_malloc(soap, sizeof(time_t));
            soap_s2dateTime(soap, stocked.restocked, item->restocked);
        }
        response.item = item;
        // The response's header: a fresh one, as the request's belongs to the request.
        soap->header = soap_new_SOAP_ENV__Header(soap);
        soap->header->ns2__Quota = soap_new__ns2__Quota(soap);
        soap->header->ns2__Quota->remaining = --quota;
        soap->header->ns2__Quota->servedBy = server_name;
        return SOAP_OK;
    }

    int AdjustStock(const std::string &sku, int delta, ns1__AdjustStockResponse &response) override {
        soap_set_version(soap, request_version);
        soap->header = NULL;
        return adjust(soap, sku, delta, response.quantity, response.level);
    }

    // The SOAP 1.2 twins wsdl2h declares for the second binding: dispatch matches the first
    // of two operations with the same element, so these are never called.
    int LookupItem_(_ns2__LookupItem *, _ns2__LookupItemResponse &) override { return SOAP_NO_METHOD; }
    int AdjustStock_(const std::string &, int, ns1__AdjustStockResponse_ &) override { return SOAP_NO_METHOD; }
    InventorySoapService *copy() override { return NULL; }
};

class Stock : public StockSoapEncodedService {
  public:
    explicit Stock(struct soap *soap) : StockSoapEncodedService(soap) {}

    int AdjustStock(const std::string &sku, int delta, ns3__AdjustStockResponse &response) override {
        soap_set_version(soap, request_version);
        soap->header = NULL;
        return adjust(soap, sku, delta, response.quantity, response.level);
    }
    StockSoapEncodedService *copy() override { return NULL; }
};

}  // namespace

int main(int argc, char **argv) {
    if (argc > 1)
        server_name = argv[1];
    struct soap *soap = soap_new1(SOAP_XML_STRICT | SOAP_C_UTFSTRING);
    soap->bind_flags = SO_REUSEADDR;
    soap->accept_timeout = 0;
    Inventory inventory(soap);
    Stock stock(soap);
    if (!soap_valid_socket(soap_bind(soap, "127.0.0.1", 0, 16))) {
        soap_print_fault(soap, stderr);
        return 1;
    }
    struct sockaddr_in bound;
    socklen_t length = sizeof bound;
    getsockname(soap->master, (struct sockaddr *)&bound, &length);
    printf("listening %d\n", ntohs(bound.sin_port));
    fflush(stdout);
    for (;;) {
        if (!soap_valid_socket(soap_accept(soap)))
            continue;
        // One connection, kept alive for as long as the client wants, one request at a time.
        soap->keep_alive = soap->max_keep_alive + 1;
        do {
            if (soap->keep_alive > 0 && soap->max_keep_alive > 0)
                soap->keep_alive--;
            if (soap_begin_serve(soap)) {
                if (soap->error < SOAP_STOP)
                    soap_send_fault(soap);
                break;
            }
            request_version = soap->version;
            int error = inventory.dispatch(soap);
            if (error == SOAP_NO_METHOD)
                error = stock.dispatch(soap);
            if (error && error < SOAP_STOP) {
                soap_send_fault(soap);
                break;
            }
            soap_destroy(soap);
            soap_end(soap);
        } while (soap->keep_alive);
        soap_destroy(soap);
        soap_end(soap);
    }
}
