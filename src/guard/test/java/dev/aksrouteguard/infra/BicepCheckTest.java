package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.infra.ArmBodyCheck.Finding;
import dev.aksrouteguard.infra.ArmBodyCheck.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Bicep schema checker on its own: it must catch what the Bicep compiler catches, and nothing else. */
class BicepCheckTest {

    private static final String SITE = """
            param name string
            param location string
            param identityId string
            var fn = 'OnResourceWrite'

            resource site 'Microsoft.Web/sites@2024-04-01' = {
              name: name
              location: location
              kind: 'functionapp,linux'
              identity: {
                type: %s
                userAssignedIdentities: {
                  '${identityId}': {}
                }
              }
              properties: {
                httpsOnly: true
                functionAppConfig: {
                  scaleAndConcurrency: {
                    maximumInstanceCount: 40
                    instanceMemoryMB: 2048
                    alwaysReady: [
                      {
                        %s: 'function:${fn}'
                        instanceCount: 1
                      }
                    ]
                  }
                  runtime: {
                    name: 'java'
                    version: '17'
                  }
                }
              }
            }
            """;

    private static Report site(String alwaysReadyKey, String identityType) {
        return BicepCheck.checkSource("site.bicep", SITE.formatted(identityType, alwaysReadyKey));
    }

    @Test
    void aValidBodyPasses() {
        Report r = site("name", "'UserAssigned'");
        assertTrue(r.ok(), r.describe());
    }

    @Test
    void aMisspelledNestedPropertyIsReportedWithFileLineAndPath() {
        Report r = site("nmae", "'UserAssigned'");
        assertEquals(1, r.findings().size(), r.describe());
        Finding f = r.findings().get(0);
        assertEquals("site.bicep", f.file());
        assertEquals(24, f.line(), "the line of the misspelled key");
        assertEquals("properties.functionAppConfig.scaleAndConcurrency.alwaysReady[0].nmae", f.path());
        assertTrue(f.problem().contains("does not exist") && f.problem().contains("instanceCount")
                && f.problem().contains("name"), f.problem());
    }

    @Test
    void aLiteralOutsideAClosedSetIsReportedWithTheAllowedValues() {
        Report r = site("name", "'UserAsigned'");
        assertEquals(1, r.findings().size(), r.describe());
        Finding f = r.findings().get(0);
        assertEquals("identity.type", f.path());
        assertEquals(11, f.line());
        assertTrue(f.problem().contains("'UserAsigned'") && f.problem().contains("SystemAssigned, UserAssigned"),
                f.problem());
    }

    @Test
    void bothBranchesOfAStringTernaryAreChecked() {
        Report r = site("name", "empty(location) ? 'UserAssigned' : 'userAssigned'");
        assertEquals(1, r.findings().size(), r.describe());
        assertTrue(r.findings().get(0).problem().contains("did you mean 'UserAssigned'"), r.describe());
    }

    @Test
    void aPropertyOfALaterApiVersionIsReported() {
        // serviceGateway arrived with Microsoft.Network 2025-05-01; 2025-03-01 does not have it.
        Report r = BicepCheck.checkSource("subnet.bicep", """
                resource vnet 'Microsoft.Network/virtualNetworks@2025-03-01' existing = {
                  name: 'vnet'
                }
                resource subnet 'Microsoft.Network/virtualNetworks/subnets@2025-03-01' = {
                  parent: vnet
                  name: 'nodes'
                  properties: {
                    addressPrefix: '10.0.0.0/22'
                    routeTable: {
                      id: resourceId('Microsoft.Network/routeTables', 'rt')
                    }
                    serviceGateway: {
                      id: 'x'
                    }
                  }
                }
                """);
        assertEquals(List.of("properties.serviceGateway"), r.findings().stream().map(Finding::path).toList(), r.describe());
        assertEquals(12, r.findings().get(0).line());
    }

    @Test
    void aMissingRequiredPropertyIsReported() {
        Report r = BicepCheck.checkSource("ra.bicep", """
                resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
                  name: guid('x')
                  properties: {
                    roleDefinitionId: 'r'
                    principalType: 'ServicePrincipal'
                  }
                }
                """);
        assertEquals(List.of("properties.principalId"), r.findings().stream().map(Finding::path).toList(), r.describe());
        assertTrue(r.findings().get(0).problem().contains("required"), r.describe());
    }

    @Test
    void languageKeywordsLoopsConditionsDecoratorsAndExistingResourcesAreNotFlagged() {
        Report r = BicepCheck.checkSource("lang.bicep", """
                targetScope = 'resourceGroup'
                @description('names')
                param names array
                param deploy bool = true

                resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
                  name: 'stguard'
                  scope: resourceGroup()
                }

                resource blob 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = if (deploy) {
                  parent: account
                  name: 'default'
                }

                @batchSize(1)
                resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for n in names: {
                  parent: blob
                  name: n
                  properties: {
                    publicAccess: 'None'
                  }
                  dependsOn: [
                    account
                  ]
                }]
                """);
        assertTrue(r.ok(), r.describe());
    }

    @Test
    void aLoopInsideABodyIsCheckedAsOneItem() {
        Report r = BicepCheck.checkSource("loop.bicep", """
                param names array
                resource site 'Microsoft.Web/sites@2024-04-01' = {
                  name: 'f'
                  location: 'westeurope'
                  properties: {
                    functionAppConfig: {
                      scaleAndConcurrency: {
                        alwaysReady: [for n in names: {
                          name: n
                          instanceCont: 1
                        }]
                      }
                    }
                  }
                }
                """);
        assertEquals(List.of("properties.functionAppConfig.scaleAndConcurrency.alwaysReady[*].instanceCont"),
                r.findings().stream().map(Finding::path).toList(), r.describe());
        assertEquals(10, r.findings().get(0).line());
    }

    @Test
    void aDiscriminatorSelectsTheShapeAndAWrongOneIsReported() {
        String template = """
                resource es 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
                  name: 'guard'
                  properties: {
                    destination: {
                      endpointType: '%s'
                      properties: {
                        resourceId: 'x'
                        maxEventsPerBatch: 1
                      }
                    }
                  }
                }
                """;
        assertTrue(BicepCheck.checkSource("es.bicep", template.formatted("AzureFunction")).ok());
        Report webhook = BicepCheck.checkSource("es.bicep", template.formatted("WebHook"));
        assertEquals(List.of("properties.destination.properties.resourceId"),
                webhook.findings().stream().map(Finding::path).toList(), webhook.describe());
        Report wrong = BicepCheck.checkSource("es.bicep", template.formatted("Function"));
        assertEquals(List.of("properties.destination.endpointType"), wrong.findings().stream().map(Finding::path).toList());
    }

    @Test
    void expressionsAreSkippedAndSaidSo() {
        Report r = BicepCheck.checkSource("expr.bicep", """
                param kind string
                resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
                  name: 'plan'
                  location: resourceGroup().location
                  kind: kind
                  sku: {
                    name: 'FC1'
                    tier: 'FlexConsumption'
                  }
                }
                """);
        assertTrue(r.ok(), r.describe());
        assertTrue(r.skipped().stream().anyMatch(s -> s.path().equals("kind") && s.why().contains("deployment")),
                r.skipped().toString());
        assertTrue(r.skipped().stream().anyMatch(s -> s.path().equals("location")), r.skipped().toString());
    }

    @Test
    void aWrongKindOfValueAndAnOutOfRangeNumberAreReported() {
        Report r = BicepCheck.checkSource("kind.bicep", """
                resource site 'Microsoft.Web/sites@2024-04-01' = {
                  name: 'f'
                  location: 'westeurope'
                  properties: {
                    httpsOnly: 'true'
                  }
                }
                """);
        assertEquals(List.of("properties.httpsOnly"), r.findings().stream().map(Finding::path).toList(), r.describe());
        assertTrue(r.findings().get(0).problem().contains("type bool"), r.describe());
    }

    @Test
    void aResourceTypeWithoutVendoredTypesFailsRatherThanPassing() {
        Report r = BicepCheck.checkSource("x.bicep", """
                resource x 'Microsoft.Sql/servers@2023-08-01' = {
                  name: 'x'
                }
                """);
        assertFalse(r.ok());
        assertTrue(r.findings().get(0).problem().contains("no Bicep types are vendored"), r.describe());
        assertThrows(IllegalArgumentException.class, () -> BicepSchema.load("microsoft.sql@2023-08-01"));
    }

    @Test
    void moduleParametersMustBeDeclaredAndRequiredOnesPassed(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("modules"));
        Files.writeString(dir.resolve("modules/m.bicep"), """
                param name string
                param optional string = 'x'
                param maybe string?
                """);
        Files.writeString(dir.resolve("main.bicep"), """
                module good 'modules/m.bicep' = {
                  name: 'good'
                  params: {
                    name: 'n'
                  }
                }
                module bad 'modules/m.bicep' = {
                  name: 'bad'
                  params: {
                    nmae: 'n'
                  }
                }
                """);
        Report r = BicepCheck.checkDirectory(dir, dir);
        assertEquals(List.of("bad.params.nmae", "bad.params.name"), r.findings().stream().map(Finding::path).toList(),
                r.describe());
    }

    @Test
    void aResourceAtAScopeItsTypesDoNotAllowIsReported() {
        Report r = BicepCheck.checkSource("sub.bicep", """
                targetScope = 'subscription'

                resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
                  name: 'evgt'
                  location: 'global'
                  properties: {
                    source: subscription().id
                    topicType: 'Microsoft.Resources.Subscriptions'
                  }
                }

                resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
                  name: 'rg-events'
                  location: 'westeurope'
                }

                resource existingTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
                  scope: resourceGroup('rg-events')
                  name: 'evgt'
                }

                resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
                  name: guid(subscription().id)
                  properties: {
                    roleName: 'r'
                    permissions: []
                    assignableScopes: []
                  }
                }
                """);
        assertEquals(List.of("topic"), r.findings().stream().map(Finding::path).toList(), r.describe());
        assertTrue(r.findings().get(0).problem().contains("cannot be deployed at subscription scope")
                && r.findings().get(0).problem().contains("[resource group]"), r.describe());
    }

    @Test
    void anExtensionResourceIsCheckedAsOne() {
        Report r = BicepCheck.checkSource("rg.bicep", """
                resource st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
                  name: 'st'
                }

                resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
                  name: guid('a')
                  scope: st
                  properties: {
                    roleDefinitionId: 'x'
                    principalId: 'y'
                  }
                }
                """);
        assertTrue(r.findings().stream().noneMatch(f -> f.problem().contains("scope")), r.describe());
        assertEquals(java.util.Optional.of(BicepSchema.EXTENSION),
                BicepCheck.scopeOf(BicepText.parse("x.bicep", "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {\n  name: 's'\n}\n"), "st"));
    }

    @Test
    void aModuleDeployedAtAnotherScopeThanItsTargetIsReported(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("modules"));
        Files.writeString(dir.resolve("modules/sub.bicep"), """
                targetScope = 'subscription'
                param id string
                """);
        Files.writeString(dir.resolve("modules/rg.bicep"), """
                param id string
                """);
        Files.writeString(dir.resolve("main.bicep"), """
                targetScope = 'subscription'

                module good 'modules/sub.bicep' = [for id in ['a', 'b']: {
                  name: 'good-${id}'
                  scope: subscription(id)
                  params: {
                    id: id
                  }
                }]
                module inherits 'modules/sub.bicep' = {
                  name: 'inherits'
                  params: {
                    id: 'x'
                  }
                }
                module wrong 'modules/sub.bicep' = {
                  name: 'wrong'
                  scope: resourceGroup('x')
                  params: {
                    id: 'x'
                  }
                }
                module alsoWrong 'modules/rg.bicep' = {
                  name: 'also-wrong'
                  params: {
                    id: 'x'
                  }
                }
                """);
        Report r = BicepCheck.checkDirectory(dir, dir);
        assertEquals(List.of("wrong.scope", "alsoWrong.scope"), r.findings().stream().map(Finding::path).toList(), r.describe());
    }

    @Test
    void theSchemaListsItsResourceTypesAndFindsThemCaseInsensitively() {
        BicepSchema web = BicepSchema.load("microsoft.web@2024-04-01");
        assertTrue(web.resourceTypes().contains("Microsoft.Web/sites@2024-04-01"));
        assertTrue(web.resourceBody("microsoft.web/SITES@2024-04-01").isPresent());
        assertEquals("microsoft.web@2024-04-01", BicepSchema.fileKey("Microsoft.Web/sites/config@2024-04-01"));
    }
}
