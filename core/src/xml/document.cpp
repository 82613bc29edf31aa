#include "im/xml/document.hpp"

#include <climits>
#include <vector>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

namespace im::xml {
namespace {

bool starts_with_at(std::string_view text, std::size_t pos, std::string_view prefix)
{
    return text.compare(pos, prefix.size(), prefix) == 0;
}

// A linear look at the raw bytes before libxml2 does anything with them. It
// refuses what must never reach the parser (other encodings, NUL, DOCTYPE)
// and bounds attributes per start tag, because libxml2 2.9 checks duplicate
// attributes pairwise (100,000 attributes take seconds). On input it cannot
// follow it stops looking and lets libxml2 report the syntax error.
std::optional<Error> screen_bytes(std::string_view bytes, const ParseLimits &limits)
{
    if (bytes.size() > limits.max_bytes || bytes.size() > static_cast<std::size_t>(INT_MAX))
        return make_error(ErrorKind::too_large, "document of " + std::to_string(bytes.size()) +
                                                    " bytes exceeds the limit of " +
                                                    std::to_string(limits.max_bytes));
    if (bytes.empty()) return make_error(ErrorKind::malformed, "empty document");
    if (bytes.find('\0') != std::string_view::npos)
        return make_error(ErrorKind::not_allowed, "NUL byte in document (only UTF-8 is accepted)");

    std::size_t pos = 0;
    if (starts_with_at(bytes, 0, "\xEF\xBB\xBF")) pos = 3;  // UTF-8 byte order mark
    else if (starts_with_at(bytes, 0, "\xFE\xFF") || starts_with_at(bytes, 0, "\xFF\xFE"))
        return make_error(ErrorKind::not_allowed, "UTF-16/32 document (only UTF-8 is accepted)");
    // Anything else up front would make libxml2 guess an encoding (EBCDIC...).
    const std::string_view xml_start = "< \t\r\n";
    if (pos >= bytes.size() || xml_start.find(bytes[pos]) == std::string_view::npos)
        return make_error(ErrorKind::malformed, "document does not start with markup");

    while (pos < bytes.size()) {
        pos = bytes.find('<', pos);
        if (pos == std::string_view::npos) break;
        auto skip_past = [&](std::string_view close, std::size_t from) {
            const auto end = bytes.find(close, from);
            return end == std::string_view::npos ? bytes.size() : end + close.size();
        };
        if (starts_with_at(bytes, pos, "<!--")) {
            pos = skip_past("-->", pos + 4);
        } else if (starts_with_at(bytes, pos, "<![CDATA[")) {
            pos = skip_past("]]>", pos + 9);
        } else if (starts_with_at(bytes, pos, "<?")) {
            pos = skip_past("?>", pos + 2);
        } else if (starts_with_at(bytes, pos, "<!DOCTYPE")) {
            return make_error(ErrorKind::not_allowed, "DTD not allowed");
        } else {
            // A start or end tag: '=' outside quotes separates a name and a value.
            std::size_t attributes = 0;
            ++pos;
            while (pos < bytes.size() && bytes[pos] != '>' && bytes[pos] != '<') {
                const char c = bytes[pos];
                if (c == '"' || c == '\'') {
                    const auto close = bytes.find(c, pos + 1);
                    pos = close == std::string_view::npos ? bytes.size() : close + 1;
                    continue;
                }
                if (c == '=' && ++attributes > limits.max_attributes_per_element)
                    return make_error(ErrorKind::limit_exceeded,
                                      "more than " + std::to_string(limits.max_attributes_per_element) +
                                          " attributes on one element");
                ++pos;
            }
        }
    }
    return std::nullopt;
}

// Per-parse state, reached from the SAX callbacks through ctxt->_private
// (libxml2 leaves that field to the application).
struct ParseSession {
    explicit ParseSession(const ParseLimits &parse_limits) : limits(parse_limits) {}

    const ParseLimits &limits;
    std::size_t depth = 0;
    std::size_t elements = 0;
    std::vector<std::size_t> declared_per_level;  // namespace declarations of each open element
    std::size_t namespaces_in_scope = 0;
    std::optional<Error> refused;     // set by our checks; the parse was stopped
    std::optional<Error> first_error;  // the first error libxml2 reported

    void refuse(xmlParserCtxtPtr ctxt, ErrorKind kind, std::string reason)
    {
        if (!refused) refused = make_error(kind, std::move(reason));
        xmlStopParser(ctxt);
    }
};

ParseSession &session_of(void *ctx)
{
    return *static_cast<ParseSession *>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
}

void on_structured_error(void *ctx, xmlErrorPtr error)
{
    if (ctx == nullptr || error == nullptr) return;
    auto &session = session_of(ctx);
    if (session.first_error || error->level < XML_ERR_ERROR) return;
    std::string message = error->message != nullptr ? error->message : "parse error";
    message = message.substr(0, message.find('\n'));  // libxml2 adds byte dumps on later lines
    session.first_error = make_error(ErrorKind::malformed, "line " + std::to_string(error->line) + ": " + message);
}

void on_internal_subset(void *ctx, const xmlChar *, const xmlChar *, const xmlChar *)
{
    session_of(ctx).refuse(static_cast<xmlParserCtxtPtr>(ctx), ErrorKind::not_allowed, "DTD not allowed");
}

void on_entity_decl(void *ctx, const xmlChar *, int, const xmlChar *, const xmlChar *, xmlChar *)
{
    session_of(ctx).refuse(static_cast<xmlParserCtxtPtr>(ctx), ErrorKind::not_allowed, "DTD not allowed");
}

xmlParserInputPtr on_resolve_entity(void *ctx, const xmlChar *, const xmlChar *)
{
    session_of(ctx).refuse(static_cast<xmlParserCtxtPtr>(ctx), ErrorKind::not_allowed,
                           "external entities not allowed");
    return nullptr;
}

void on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                      int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                      const xmlChar **attributes)
{
    auto *ctxt = static_cast<xmlParserCtxtPtr>(ctx);
    auto &session = session_of(ctx);
    const auto &limits = session.limits;
    if (++session.depth > limits.max_depth)
        return session.refuse(ctxt, ErrorKind::limit_exceeded,
                              "elements nested deeper than " + std::to_string(limits.max_depth));
    if (++session.elements > limits.max_elements)
        return session.refuse(ctxt, ErrorKind::limit_exceeded,
                              "more than " + std::to_string(limits.max_elements) + " elements");
    if (static_cast<std::size_t>(nb_namespaces) + static_cast<std::size_t>(nb_attributes) >
        limits.max_attributes_per_element)
        return session.refuse(ctxt, ErrorKind::limit_exceeded,
                              "more than " + std::to_string(limits.max_attributes_per_element) +
                                  " attributes on one element");
    const auto declared = static_cast<std::size_t>(nb_namespaces);
    session.declared_per_level.push_back(declared);
    session.namespaces_in_scope += declared;
    if (session.namespaces_in_scope > limits.max_namespaces_in_scope)
        return session.refuse(ctxt, ErrorKind::limit_exceeded,
                              "more than " + std::to_string(limits.max_namespaces_in_scope) +
                                  " namespace declarations in scope");
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
                          attributes);
}

void on_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    auto &session = session_of(ctx);
    if (session.depth > 0) --session.depth;
    if (!session.declared_per_level.empty()) {
        session.namespaces_in_scope -= session.declared_per_level.back();
        session.declared_per_level.pop_back();
    }
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

struct FreeParserContext {
    void operator()(xmlParserCtxt *ctxt) const { xmlFreeParserCtxt(ctxt); }
};
using ParserContext = std::unique_ptr<xmlParserCtxt, FreeParserContext>;

struct FreeTree {
    void operator()(xmlDoc *doc) const { xmlFreeDoc(doc); }
};

void install_hooks(xmlParserCtxt &ctxt, ParseSession &session)
{
    // Start from plain SAX2 whatever another library did to the defaults.
    xmlSAXVersion(ctxt.sax, 2);
    ctxt.sax->serror = on_structured_error;
    ctxt.sax->error = nullptr;
    ctxt.sax->warning = nullptr;
    ctxt.sax->fatalError = nullptr;
    ctxt.sax->internalSubset = on_internal_subset;
    ctxt.sax->externalSubset = on_internal_subset;
    ctxt.sax->entityDecl = on_entity_decl;
    ctxt.sax->resolveEntity = on_resolve_entity;
    ctxt.sax->startElementNs = on_start_element;
    ctxt.sax->endElementNs = on_end_element;
    ctxt._private = &session;
    // Belt and braces next to the options: no substitution, no subset loading.
    ctxt.replaceEntities = 0;
    ctxt.loadsubset = 0;
    ctxt.validate = 0;
}

}  // namespace

void Document::FreeDoc::operator()(xmlDoc *doc) const { xmlFreeDoc(doc); }

const xmlNode *Document::root() const { return xmlDocGetRootElement(doc_.get()); }

Result<Document> Document::parse(std::string_view bytes, const ParseLimits &limits)
{
    if (auto refused = screen_bytes(bytes, limits)) return std::move(*refused);

    xmlInitParser();  // idempotent
    ParserContext ctxt(xmlCreateMemoryParserCtxt(bytes.data(), static_cast<int>(bytes.size())));
    if (!ctxt) return make_error(ErrorKind::malformed, "cannot create an XML parser");
    // Deliberately absent: XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE.
    xmlCtxtUseOptions(ctxt.get(), XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC |
                                      XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ParseSession session(limits);
    install_hooks(*ctxt, session);

    xmlParseDocument(ctxt.get());
    std::unique_ptr<xmlDoc, FreeTree> tree(ctxt->myDoc);
    ctxt->myDoc = nullptr;
    const bool well_formed = ctxt->wellFormed != 0;
    ctxt.reset();

    if (session.refused) return std::move(*session.refused);
    if (session.first_error) return std::move(*session.first_error);
    if (!well_formed || !tree) return make_error(ErrorKind::malformed, "document is not well-formed");
    // Unreachable with the hooks above; kept so a libxml2 change cannot slip one through.
    if (tree->intSubset != nullptr || tree->extSubset != nullptr)
        return make_error(ErrorKind::not_allowed, "DTD not allowed");
    if (xmlDocGetRootElement(tree.get()) == nullptr) return make_error(ErrorKind::malformed, "no root element");
    return Document(tree.release());
}

// --- walking ---------------------------------------------------------------

std::string_view local_name(const xmlNode *node)
{
    if (node == nullptr || node->name == nullptr) return {};
    return reinterpret_cast<const char *>(node->name);
}

std::string_view namespace_uri(const xmlNode *node)
{
    if (node == nullptr || node->ns == nullptr || node->ns->href == nullptr) return {};
    return reinterpret_cast<const char *>(node->ns->href);
}

bool is_element(const xmlNode *node, std::string_view ns, std::string_view local)
{
    return node != nullptr && node->type == XML_ELEMENT_NODE && local_name(node) == local &&
           namespace_uri(node) == ns;
}

namespace {
const xmlNode *next_element(const xmlNode *node)
{
    while (node != nullptr && node->type != XML_ELEMENT_NODE) node = node->next;
    return node;
}
}  // namespace

ChildElements::iterator &ChildElements::iterator::operator++()
{
    node_ = next_element(node_->next);
    return *this;
}

ChildElements::iterator ChildElements::begin() const
{
    return iterator(parent_ == nullptr ? nullptr : next_element(parent_->children));
}

const xmlNode *first_child(const xmlNode *parent, std::string_view ns, std::string_view local)
{
    for (const xmlNode *child : ChildElements(parent))
        if (is_element(child, ns, local)) return child;
    return nullptr;
}

std::optional<std::string> attribute(const xmlNode *element, std::string_view ns, std::string_view local)
{
    if (element == nullptr || element->type != XML_ELEMENT_NODE) return std::nullopt;
    for (const xmlAttr *attr = element->properties; attr != nullptr; attr = attr->next) {
        if (attr->name == nullptr || local != reinterpret_cast<const char *>(attr->name)) continue;
        const std::string_view attr_ns =
            attr->ns != nullptr && attr->ns->href != nullptr ? reinterpret_cast<const char *>(attr->ns->href) : "";
        if (attr_ns != ns) continue;
        std::string value;
        for (const xmlNode *part = attr->children; part != nullptr; part = part->next)
            if (part->type == XML_TEXT_NODE && part->content != nullptr)
                value += reinterpret_cast<const char *>(part->content);
        return value;
    }
    return std::nullopt;
}

std::string text_of(const xmlNode *element)
{
    std::string text;
    if (element == nullptr) return text;
    for (const xmlNode *child = element->children; child != nullptr; child = child->next)
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) && child->content != nullptr)
            text += reinterpret_cast<const char *>(child->content);
    return text;
}

std::string_view trim_xml_space(std::string_view text)
{
    constexpr std::string_view space = " \t\r\n";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(space) - first + 1);
}

std::optional<bool> parse_xs_boolean(std::string_view text)
{
    text = trim_xml_space(text);
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    return std::nullopt;
}

}  // namespace im::xml
