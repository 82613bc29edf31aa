#include "im/xml/service_settings.hpp"

#include <array>
#include <bitset>

#include "im/sip/text.hpp"

namespace im::xml {
namespace {

// One row of E.1.2 table 1: a container element holding one flag element.
struct SettingKind {
    std::string_view container;
    std::array<std::string_view, 2> flag_names;  // accepted spellings; "" = unused
    bool flag_required;
    std::optional<bool> ImServiceSettings::*field;
};

constexpr std::array<SettingKind, 5> kSettingKinds{{
    {"isb-settings", {"incoming-session-barring", ""}, false, &ImServiceSettings::incoming_session_barring},
    {"ipab-settings", {"incoming-personal-alert-barring", ""}, false, &ImServiceSettings::incoming_pager_mode_barring},
    {"deferred-settings", {"offline-delivery", ""}, false, &ImServiceSettings::offline_delivery},
    {"vis-settings", {"vis-status", "visibility-status"}, false, &ImServiceSettings::visible},
    {"hist-settings", {"hist-activation", ""}, true, &ImServiceSettings::history_activation},
}};

std::string tag(std::string_view name) { return "<" + std::string(name) + ">"; }

class SettingsReader {
public:
    SettingsReader(std::string_view root_namespace, const ServiceSettingsOptions &options)
        : root_namespace_(root_namespace), options_(options)
    {
    }

    Result<EntitySettings> read_entity(const xmlNode *entity)
    {
        auto id = attribute(entity, "", "id");
        if (!id) return make_error(ErrorKind::invalid, "<entity> without id attribute");
        EntitySettings out{std::move(*id), {}};
        std::bitset<kSettingKinds.size()> seen;
        for (const xmlNode *child : ChildElements(entity)) {
            if (!is_known_namespace(child)) continue;  // unknown namespaces MUST be ignored (E.1.1)
            for (std::size_t i = 0; i < kSettingKinds.size(); ++i) {
                const auto &kind = kSettingKinds[i];
                if (local_name(child) != kind.container) continue;
                if (!is_for_our_service(child)) {
                    ++foreign_skipped_;
                    break;
                }
                if (seen.test(i)) return make_error(ErrorKind::invalid, "more than one " + tag(kind.container));
                seen.set(i);
                auto flag = read_flag(child, kind);
                if (!flag) return flag.error();
                out.settings.*kind.field = flag.value();
                break;
            }
        }
        return out;
    }

    std::size_t foreign_skipped() const { return foreign_skipped_; }

private:
    bool is_known_namespace(const xmlNode *node) const
    {
        const auto ns = namespace_uri(node);
        return ns == root_namespace_ || ns == kServiceSettingsNamespace;
    }

    bool is_for_our_service(const xmlNode *setting) const
    {
        auto service_id = attribute(setting, "", "service-id");
        if (!service_id) service_id = attribute(setting, kServiceSettingsNamespace, "service-id");
        return !service_id || sip::iequals(trim_xml_space(*service_id), options_.service_id);
    }

    // The container's flag element: its active attribute, or nullopt when
    // the container has none (allowed unless the schema requires it).
    Result<std::optional<bool>> read_flag(const xmlNode *container, const SettingKind &kind) const
    {
        const xmlNode *flag = nullptr;
        for (const xmlNode *child : ChildElements(container)) {
            if (!is_known_namespace(child)) continue;
            const auto name = local_name(child);
            if (name.empty() || (name != kind.flag_names[0] && name != kind.flag_names[1])) continue;
            if (flag != nullptr) return make_error(ErrorKind::invalid, "more than one flag in " + tag(kind.container));
            flag = child;
        }
        if (flag == nullptr) {
            if (kind.flag_required)
                return make_error(ErrorKind::invalid,
                                  tag(kind.container) + " without " + tag(kind.flag_names[0]));
            return std::optional<bool>{};
        }
        auto active = attribute(flag, "", "active");
        if (!active) return make_error(ErrorKind::invalid, tag(local_name(flag)) + " without active attribute");
        auto value = parse_xs_boolean(*active);
        if (!value) return make_error(ErrorKind::invalid, "bad active value \"" + *active + "\"");
        return std::optional<bool>{*value};
    }

    std::string_view root_namespace_;
    const ServiceSettingsOptions &options_;
    std::size_t foreign_skipped_ = 0;
};

}  // namespace

bool ImServiceSettings::empty() const
{
    return !incoming_session_barring && !incoming_pager_mode_barring && !offline_delivery && !visible &&
           !history_activation;
}

Result<ServiceSettingsDocument> parse_service_settings(std::string_view bytes, const ServiceSettingsOptions &options)
{
    auto document = Document::parse(bytes, options.xml);
    if (!document) return document.error();
    const xmlNode *root = document->root();
    if (local_name(root) != "poc-settings")
        return make_error(ErrorKind::invalid, "root element is " + tag(local_name(root)) + ", not <poc-settings>");
    const auto root_namespace = namespace_uri(root);
    if (root_namespace != kPocSettingsNamespace && root_namespace != kDraftPocSettingsNamespace)
        return make_error(ErrorKind::invalid, "<poc-settings> in namespace \"" + std::string(root_namespace) + "\"");

    SettingsReader reader(root_namespace, options);
    ServiceSettingsDocument out;
    for (const xmlNode *child : ChildElements(root)) {
        if (!is_element(child, root_namespace, "entity")) continue;
        if (out.entities.size() >= options.max_entities)
            return make_error(ErrorKind::limit_exceeded,
                              "more than " + std::to_string(options.max_entities) + " <entity> elements");
        auto entity = reader.read_entity(child);
        if (!entity) return entity.error();
        out.entities.push_back(std::move(entity).value());
    }
    out.foreign_settings_skipped = reader.foreign_skipped();
    return out;
}

ImServiceSettings merged_settings(const ServiceSettingsDocument &document)
{
    ImServiceSettings merged;
    for (const auto &entity : document.entities)
        for (const auto &kind : kSettingKinds)
            if (entity.settings.*kind.field) merged.*kind.field = entity.settings.*kind.field;
    return merged;
}

}  // namespace im::xml
