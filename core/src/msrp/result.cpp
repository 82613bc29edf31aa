#include "im/msrp/result.hpp"

namespace im::msrp {

std::string_view to_string(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::malformed_start_line: return "malformed start line";
    case ErrorKind::malformed_header: return "malformed header";
    case ErrorKind::malformed_uri: return "malformed URI";
    case ErrorKind::malformed_byte_range: return "malformed Byte-Range";
    case ErrorKind::malformed_body: return "malformed body";
    case ErrorKind::malformed_end_line: return "malformed end-line";
    case ErrorKind::header_too_large: return "header too large";
    case ErrorKind::body_too_large: return "body too large";
    }
    return "unknown error";
}

}  // namespace im::msrp
