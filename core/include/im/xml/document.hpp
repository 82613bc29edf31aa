#pragma once
// A libxml2 parse of untrusted bytes, hardened for documents that arrive in
// SIP bodies, plus namespace-aware helpers to walk the resulting tree.
//
// Hostile-input policy (docs/xml-documents.md):
//   - no DTD at all: a <!DOCTYPE> stops the parse ("DTD not allowed"), so
//     there is no entity declaration, no entity expansion (billion laughs)
//     and no external entity or external subset to fetch;
//   - no network, no XInclude processing (xi:include is an ordinary element
//     in a foreign namespace, which the document parsers ignore);
//   - UTF-8 only: encoding declarations are ignored, UTF-16/32 input and NUL
//     bytes are refused before libxml2 sees them;
//   - limits on bytes, element depth, element count, attributes per element
//     (libxml2 2.9's duplicate-attribute check is quadratic) and namespace
//     declarations in scope (its prefix lookup is linear in them);
//   - errors are collected per parse through the parser context; libxml2
//     never prints and the process-wide error handlers are left alone.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <libxml/tree.h>

#include "im/xml/result.hpp"

namespace im::xml {

struct ParseLimits {
    std::size_t max_bytes = 1024 * 1024;
    std::size_t max_depth = 64;  // the root element is depth 1
    std::size_t max_elements = 100'000;
    std::size_t max_attributes_per_element = 256;  // namespace declarations included
    // Declarations visible at once (an element's and its ancestors'): libxml2
    // resolves every prefix by a linear scan of them, so stacking thousands
    // in scope turns a 1 MB document into seconds of work.
    std::size_t max_namespaces_in_scope = 128;
};

// An immutable parsed document; owns the xmlDoc.
class Document {
public:
    static Result<Document> parse(std::string_view bytes, const ParseLimits &limits = {});

    const xmlNode *root() const;

private:
    struct FreeDoc {
        void operator()(xmlDoc *doc) const;
    };
    explicit Document(xmlDoc *doc) : doc_(doc) {}

    std::unique_ptr<xmlDoc, FreeDoc> doc_;  // move-only, like the tree it owns
};

// --- walking the tree -------------------------------------------------------

std::string_view local_name(const xmlNode *node);
// The element's namespace URI, "" when it has none.
std::string_view namespace_uri(const xmlNode *node);
bool is_element(const xmlNode *node, std::string_view ns, std::string_view local);

// Iterates the element children of a node, skipping text, comments and PIs.
class ChildElements {
public:
    class iterator {
    public:
        using value_type = const xmlNode *;
        using difference_type = std::ptrdiff_t;

        iterator() = default;
        explicit iterator(const xmlNode *node) : node_(node) {}
        const xmlNode *operator*() const { return node_; }
        iterator &operator++();
        iterator operator++(int)
        {
            iterator before = *this;
            ++*this;
            return before;
        }
        bool operator==(const iterator &other) const { return node_ == other.node_; }

    private:
        const xmlNode *node_ = nullptr;
    };

    explicit ChildElements(const xmlNode *parent) : parent_(parent) {}
    iterator begin() const;
    iterator end() const { return iterator(); }

private:
    const xmlNode *parent_;
};

// The first element child (ns, local), or nullptr.
const xmlNode *first_child(const xmlNode *parent, std::string_view ns, std::string_view local);

// An attribute's value. ns "" names an unqualified attribute (the usual case:
// attributeFormDefault="unqualified"); otherwise the namespace URI.
std::optional<std::string> attribute(const xmlNode *element, std::string_view ns, std::string_view local);

// The text directly inside an element (text and CDATA children, concatenated).
std::string text_of(const xmlNode *element);

// --- small value helpers ----------------------------------------------------

// XML whitespace (space, tab, CR, LF) trimmed from both ends.
std::string_view trim_xml_space(std::string_view text);

// xs:boolean: "true", "false", "1", "0", surrounding whitespace allowed.
std::optional<bool> parse_xs_boolean(std::string_view text);

}  // namespace im::xml
