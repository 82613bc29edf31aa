#pragma once
// Text to XML character data, for documents we write ourselves. The input may
// be anything (it often came from a peer): the output is always well-formed.
#include <string>
#include <string_view>

namespace im::xml {

// Appends `text` escaped for use inside an attribute value (either quote) or
// element content: & < > " ' become entity references, tab, CR and LF become
// character references (attribute normalization would otherwise eat them),
// and bytes that are not valid UTF-8 or not XML 1.0 characters become U+FFFD.
void append_xml_escaped(std::string &out, std::string_view text);

std::string xml_escaped(std::string_view text);

}  // namespace im::xml
