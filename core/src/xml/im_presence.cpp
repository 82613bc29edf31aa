#include "im/xml/im_presence.hpp"

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

}  // namespace im::xml
