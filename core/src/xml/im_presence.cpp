#include "im/xml/im_presence.hpp"

#include "im/xml/document.hpp"
#include "im/xml/escape.hpp"

namespace im::xml {

std::string im_availability_document(std::string_view entity, bool open)
{
    std::string doc =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:op=\"urn:oma:xml:prs:pidf:oma-pres\" entity=\"";
    append_xml_escaped(doc, entity);
    doc += "\">\n <tuple id=\"";
    doc += kImAvailabilityTupleId;
    doc += "\">\n  <status><basic>";
    doc += open ? "open" : "closed";
    doc += "</basic></status>\n  <op:service-description>\n   <op:service-id>";
    doc += kImPresenceServiceId;
    doc += "</op:service-id>\n   <op:version>1.0</op:version>\n  </op:service-description>\n </tuple>\n</presence>\n";
    return doc;
}

namespace {

bool is_im_service(const xmlNode *tuple)
{
    const xmlNode *description = first_child(tuple, kOmaPresNamespace, "service-description");
    if (description == nullptr) return false;
    const xmlNode *id = first_child(description, kOmaPresNamespace, "service-id");
    return id != nullptr && trim_xml_space(text_of(id)) == kImPresenceServiceId;
}

}  // namespace

Result<std::optional<bool>> im_willingness(std::string_view pidf)
{
    ParseLimits limits;
    limits.max_bytes = 256 * 1024;
    limits.max_elements = 10'000;
    auto doc = Document::parse(pidf, limits);
    if (!doc.ok()) return doc.error();
    const xmlNode *root = doc->root();
    if (!is_element(root, kPidfNamespace, "presence"))
        return make_error(ErrorKind::invalid, "not a PIDF <presence> document");
    std::optional<bool> willing;
    for (const xmlNode *tuple : ChildElements(root)) {
        if (!is_element(tuple, kPidfNamespace, "tuple") || !is_im_service(tuple)) continue;
        const xmlNode *status = first_child(tuple, kPidfNamespace, "status");
        const xmlNode *willingness = status ? first_child(status, kOmaPresNamespace, "willingness") : nullptr;
        const xmlNode *basic = willingness ? first_child(willingness, kOmaPresNamespace, "basic") : nullptr;
        if (basic == nullptr) continue;
        const std::string text = text_of(basic);
        const std::string_view value = trim_xml_space(text);
        if (value == "closed") willing = false;
        else if (value == "open" && !willing) willing = true;
        else if (value != "open") return make_error(ErrorKind::invalid, "willingness <basic> is neither open nor closed");
    }
    return willing;
}

}  // namespace im::xml
