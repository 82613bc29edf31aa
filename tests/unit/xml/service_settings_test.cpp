#include <gtest/gtest.h>

#include <string>

#include "im/xml/service_settings.hpp"

using im::xml::EntitySettings;
using im::xml::ErrorKind;
using im::xml::ImServiceSettings;
using im::xml::merged_settings;
using im::xml::parse_service_settings;
using im::xml::ServiceSettingsOptions;

namespace {

// OMA SIMPLE IM draft, Appendix E.1.2, byte for byte (blank lines, the
// trailing blanks and the draft's own namespace spelling included).
constexpr std::string_view kSpecExample = R"(<?xml version="1.0" encoding="UTF-8"?>

   <poc-settings xmlns="urn:oma:params:xml:ns:poc:poc-settings"



xmlns:ss="urn:oma:params:xml:ns:service-settings">

     <entity id="do39s8zksn2d98x">

        <isb-settings service-id="IM">

          <incoming-session-barring active="true"/>

        </isb-settings>

        <ipab-settings service-id="IM">

          <incoming-personal-alert-barring active="false"/>

        </ipab-settings>

        <ss:deferred-settings service-id="IM"> 


<ss:offline-delivery active="true"/>

        </ss:deferred-settings>

        <ss:vis-settings service-id="IM"> 


<ss:visibility-status active="false"/>

        </ss:vis-settings>

        <ss:hist-settings service-id="IM"> 


<ss:hist-activation active="false"/>

        </ss:hist-settings>

     </entity>

   </poc-settings>
)";

std::string settings_of(std::string_view entity_body,
                        std::string_view root_namespace = "urn:ietf:params:xml:ns:poc-settings")
{
    return "<poc-settings xmlns=\"" + std::string(root_namespace) +
           "\" xmlns:ss=\"urn:oma:params:xml:ns:service-settings\"><entity id=\"e1\">" + std::string(entity_body) +
           "</entity></poc-settings>";
}

ImServiceSettings only_entity(std::string_view document)
{
    auto parsed = parse_service_settings(document);
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().reason);
    if (!parsed || parsed->entities.size() != 1) {
        ADD_FAILURE() << "expected one entity";
        return {};
    }
    return parsed->entities[0].settings;
}

ErrorKind error_kind_of(std::string_view document)
{
    auto parsed = parse_service_settings(document);
    EXPECT_FALSE(parsed) << document;
    return parsed ? ErrorKind::invalid : parsed.error().kind;
}

}  // namespace

TEST(ServiceSettings, SpecExample)
{
    auto parsed = parse_service_settings(kSpecExample);
    ASSERT_TRUE(parsed) << parsed.error().reason;
    ASSERT_EQ(parsed->entities.size(), 1u);
    EXPECT_EQ(parsed->entities[0].id, "do39s8zksn2d98x");
    const auto &settings = parsed->entities[0].settings;
    EXPECT_EQ(settings.incoming_session_barring, true);
    EXPECT_EQ(settings.incoming_pager_mode_barring, false);
    EXPECT_EQ(settings.offline_delivery, true);
    EXPECT_EQ(settings.visible, false);
    EXPECT_EQ(settings.history_activation, false);
    EXPECT_EQ(parsed->foreign_settings_skipped, 0u);
}

TEST(ServiceSettings, Rfc4354NamespaceAndSchemaSpellingOfVisStatus)
{
    const auto settings = only_entity(settings_of(
        "<ss:vis-settings><ss:vis-status active=\"true\"/></ss:vis-settings>"
        "<isb-settings><incoming-session-barring active=\"0\"/></isb-settings>"));
    EXPECT_EQ(settings.visible, true);
    EXPECT_EQ(settings.incoming_session_barring, false);
    EXPECT_EQ(settings.incoming_pager_mode_barring, std::nullopt);
}

TEST(ServiceSettings, EachSettingAloneLeavesTheOthersUnset)
{
    const std::vector<std::pair<std::string, std::optional<bool> ImServiceSettings::*>> cases = {
        {"<isb-settings><incoming-session-barring active=\"true\"/></isb-settings>",
         &ImServiceSettings::incoming_session_barring},
        {"<ipab-settings><incoming-personal-alert-barring active=\"true\"/></ipab-settings>",
         &ImServiceSettings::incoming_pager_mode_barring},
        {"<ss:deferred-settings><ss:offline-delivery active=\"true\"/></ss:deferred-settings>",
         &ImServiceSettings::offline_delivery},
        {"<ss:vis-settings><ss:vis-status active=\"true\"/></ss:vis-settings>", &ImServiceSettings::visible},
        {"<ss:hist-settings><ss:hist-activation active=\"true\"/></ss:hist-settings>",
         &ImServiceSettings::history_activation},
    };
    for (const auto &[body, field] : cases) {
        SCOPED_TRACE(body);
        ImServiceSettings expected;
        expected.*field = true;
        EXPECT_EQ(only_entity(settings_of(body)), expected);
    }
}

TEST(ServiceSettings, AbsentSettingsStayUnset)
{
    EXPECT_TRUE(only_entity(settings_of("")).empty());
    auto no_entity = parse_service_settings("<poc-settings xmlns=\"urn:ietf:params:xml:ns:poc-settings\"/>");
    ASSERT_TRUE(no_entity);
    EXPECT_TRUE(no_entity->entities.empty());
    // deferred and vis may be empty (E.1.3 minOccurs="0").
    const auto settings = only_entity(settings_of("<ss:deferred-settings/><ss:vis-settings> </ss:vis-settings>"));
    EXPECT_TRUE(settings.empty());
}

TEST(ServiceSettings, SettingsAreRecognisedInEitherKnownNamespace)
{
    const auto settings = only_entity(settings_of(
        "<hist-settings><hist-activation active=\"true\"/></hist-settings>"
        "<ss:isb-settings><ss:incoming-session-barring active=\"true\"/></ss:isb-settings>"
        "<ss:deferred-settings><offline-delivery active=\"false\"/></ss:deferred-settings>"));
    EXPECT_EQ(settings.history_activation, true);
    EXPECT_EQ(settings.incoming_session_barring, true);
    EXPECT_EQ(settings.offline_delivery, false);
}

TEST(ServiceSettings, UnknownNamespacesAndUnknownSettingsAreIgnored)
{
    const auto settings = only_entity(settings_of(
        "<am-settings><answer-mode>automatic</answer-mode></am-settings>"
        "<x:isb-settings xmlns:x=\"urn:example\"><x:incoming-session-barring active=\"true\"/></x:isb-settings>"
        "<ipab-settings x:extra=\"1\" xmlns:x=\"urn:example\"><x:note/>"
        "<incoming-personal-alert-barring active=\"true\" x:why=\"no\"/></ipab-settings>"
        "<isb-settings><x:incoming-session-barring xmlns:x=\"urn:example\" active=\"true\"/></isb-settings>"));
    EXPECT_EQ(settings.incoming_session_barring, std::nullopt);
    EXPECT_EQ(settings.incoming_pager_mode_barring, true);
}

TEST(ServiceSettings, ServiceIdSelectsOurSettings)
{
    auto parsed = parse_service_settings(settings_of(
        "<isb-settings service-id=\"PoC\"><incoming-session-barring active=\"false\"/></isb-settings>"
        "<isb-settings service-id=\" im \"><incoming-session-barring active=\"true\"/></isb-settings>"
        "<ss:vis-settings ss:service-id=\"IM\"><ss:vis-status active=\"false\"/></ss:vis-settings>"
        "<ss:hist-settings ss:service-id=\"PoC\"><ss:hist-activation active=\"true\"/></ss:hist-settings>"));
    ASSERT_TRUE(parsed) << parsed.error().reason;
    const auto &settings = parsed->entities[0].settings;
    EXPECT_EQ(settings.incoming_session_barring, true);
    EXPECT_EQ(settings.visible, false);
    EXPECT_EQ(settings.history_activation, std::nullopt);
    EXPECT_EQ(parsed->foreign_settings_skipped, 2u);

    ServiceSettingsOptions poc;
    poc.service_id = "PoC";
    auto as_poc = parse_service_settings(
        settings_of("<isb-settings service-id=\"PoC\"><incoming-session-barring active=\"false\"/></isb-settings>"),
        poc);
    ASSERT_TRUE(as_poc);
    EXPECT_EQ(as_poc->entities[0].settings.incoming_session_barring, false);
}

TEST(ServiceSettings, SeveralEntitiesAndTheirMerge)
{
    auto parsed = parse_service_settings(R"(<poc-settings xmlns="urn:ietf:params:xml:ns:poc-settings"
          xmlns:ss="urn:oma:params:xml:ns:service-settings">
        <entity id="a"><isb-settings><incoming-session-barring active="true"/></isb-settings>
          <ss:vis-settings><ss:vis-status active="true"/></ss:vis-settings></entity>
        <entity id="b"><isb-settings><incoming-session-barring active="false"/></isb-settings></entity>
        <x:entity xmlns:x="urn:example" id="ignored"/>
      </poc-settings>)");
    ASSERT_TRUE(parsed) << parsed.error().reason;
    ASSERT_EQ(parsed->entities.size(), 2u);
    EXPECT_EQ(parsed->entities[0].id, "a");
    EXPECT_EQ(parsed->entities[1].id, "b");
    const auto merged = merged_settings(parsed.value());
    EXPECT_EQ(merged.incoming_session_barring, false);
    EXPECT_EQ(merged.visible, true);

    ServiceSettingsOptions options;
    options.max_entities = 1;
    auto limited = parse_service_settings(
        "<poc-settings xmlns=\"urn:ietf:params:xml:ns:poc-settings\"><entity id=\"1\"/><entity id=\"2\"/>"
        "</poc-settings>",
        options);
    ASSERT_FALSE(limited);
    EXPECT_EQ(limited.error().kind, ErrorKind::limit_exceeded);
}

TEST(ServiceSettings, RefusesWrongRootsAndNamespaces)
{
    EXPECT_EQ(error_kind_of("<poc-settings><entity id=\"1\"/></poc-settings>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<poc-settings xmlns=\"urn:oma:params:xml:ns:service-settings\"/>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<im-settings xmlns=\"urn:ietf:params:xml:ns:poc-settings\"/>"), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"/>"),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of("<poc-settings xmlns=\"urn:ietf:params:xml:ns:poc-settings\">"), ErrorKind::malformed);
}

TEST(ServiceSettings, RefusesMissingOrBadRequiredAttributes)
{
    EXPECT_EQ(error_kind_of("<poc-settings xmlns=\"urn:ietf:params:xml:ns:poc-settings\"><entity/></poc-settings>"),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(settings_of("<isb-settings><incoming-session-barring/></isb-settings>")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(settings_of("<isb-settings><incoming-session-barring active=\"yes\"/></isb-settings>")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(settings_of(
                  "<isb-settings><incoming-session-barring ss:active=\"true\"/></isb-settings>")),
              ErrorKind::invalid);
    auto missing = parse_service_settings(settings_of("<ss:vis-settings><ss:vis-status/></ss:vis-settings>"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().reason, "<vis-status> without active attribute");
}

TEST(ServiceSettings, RefusesRepeatsAndAMissingHistActivation)
{
    EXPECT_EQ(error_kind_of(settings_of("<ss:hist-settings/>")), ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(settings_of("<isb-settings><incoming-session-barring active=\"1\"/></isb-settings>"
                                        "<isb-settings><incoming-session-barring active=\"0\"/></isb-settings>")),
              ErrorKind::invalid);
    EXPECT_EQ(error_kind_of(settings_of("<ss:vis-settings><ss:vis-status active=\"1\"/>"
                                        "<ss:visibility-status active=\"0\"/></ss:vis-settings>")),
              ErrorKind::invalid);
}

TEST(ServiceSettings, HostileXmlIsRefusedBeforeInterpretation)
{
    EXPECT_EQ(error_kind_of("<!DOCTYPE poc-settings [<!ENTITY a \"b\">]>" + settings_of("")),
              ErrorKind::not_allowed);
    std::string bomb;
    for (int i = 0; i < 10'000; ++i) bomb += "<ss:x>";
    for (int i = 0; i < 10'000; ++i) bomb += "</ss:x>";
    EXPECT_EQ(error_kind_of(settings_of(bomb)), ErrorKind::limit_exceeded);
}
