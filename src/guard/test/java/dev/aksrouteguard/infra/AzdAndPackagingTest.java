package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Obj;
import dev.aksrouteguard.infra.BicepText.Str;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * azd's view of the project: {@code azure.yaml} points at what {@code mvn package} stages, names the service the
 * function app is tagged with, and runs hooks that only use values the deployment outputs; the parameters file maps
 * azd environment values onto real parameters.
 */
class AzdAndPackagingTest {

    private static final Path ROOT = InfraModel.repoRoot();
    private static final String AZURE_YAML = InfraModel.read(ROOT.resolve("azure.yaml"));
    private static final BicepText MAIN = BicepText.parse("infra/main.bicep", InfraModel.read(ROOT.resolve("infra/main.bicep")));

    /** A property from pom.xml's {@code <properties>}. */
    static String pomProperty(String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">\\s*([^<]+?)\\s*</" + Pattern.quote(name) + ">")
                .matcher(InfraModel.read(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no property " + name);
        return m.group(1);
    }

    /** The first {@code key: value} in azure.yaml (comments ignored). */
    private static String yaml(String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + ":\\s*([^#\\s]+)").matcher(AZURE_YAML);
        assertTrue(m.find(), "azure.yaml has no " + key);
        return m.group(1);
    }

    /** The service names under {@code services:} in azure.yaml. */
    private static Set<String> services() {
        Matcher block = Pattern.compile("(?ms)^services:\\s*\\n(.*?)(?=^\\S)").matcher(AZURE_YAML + "\nend:");
        assertTrue(block.find(), "azure.yaml has no services");
        Matcher names = Pattern.compile("(?m)^  ([A-Za-z0-9-]+):\\s*$").matcher(block.group(1));
        Set<String> found = new TreeSet<>();
        while (names.find()) {
            found.add(names.group(1));
        }
        return found;
    }

    @Test
    void azdDeploysWhatMavenStagesForTheFunctionsHost() {
        assertEquals("java", yaml("language"));
        assertEquals("function", yaml("host"));
        assertEquals("target/guard/azure-functions/" + pomProperty("functionAppName"), yaml("dist"),
                "azure.yaml dist must be azure-functions-maven-plugin's staging folder");
    }

    @Test
    void theFunctionAppCarriesTheAzdServiceTag() {
        Obj module = (Obj) MAIN.find("module", "functionApp").orElseThrow().value();
        Str serviceName = (Str) module.at("params.serviceName").orElseThrow();
        assertEquals(Set.of(serviceName.text()), services(),
                "azure.yaml's service must be the azd-service-name the function app is tagged with");
    }

    @Test
    void hooksUseOnlyValuesTheDeploymentProvides() {
        Set<String> outputs = MAIN.declarations().stream().filter(d -> d.kind().equals("output"))
                .map(Declaration::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> parameterVariables = parameterFileVariables().keySet();
        for (String hook : new String[] {"infra/hooks/postdeploy.sh", "infra/hooks/postdeploy.ps1",
                "infra/hooks/postprovision.sh", "infra/hooks/postprovision.ps1"}) {
            assertTrue(AZURE_YAML.contains("run: " + hook), "azure.yaml does not run " + hook);
            Path file = ROOT.resolve(hook);
            assertTrue(Files.isRegularFile(file), hook + " is missing");
            String text = InfraModel.read(file);
            // sh: $NAME and ${NAME...}; PowerShell: $env:NAME and the names it checks in quotes.
            Matcher m = Pattern.compile(hook.endsWith(".ps1")
                    ? "\\$env:([A-Z][A-Z0-9_]+)|'([A-Z][A-Z0-9_]{3,})'"
                    : "\\$\\{?([A-Z][A-Z0-9_]+)").matcher(text);
            Set<String> used = new TreeSet<>();
            while (m.find()) {
                used.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
            used.removeAll(outputs);
            used.removeAll(parameterVariables);
            assertEquals(Set.of(), used, hook + " uses values that infra/main.bicep does not output");
        }
        assertTrue(Files.isExecutable(ROOT.resolve("infra/hooks/postdeploy.sh")), "postdeploy.sh must be executable");
        assertTrue(Files.isExecutable(ROOT.resolve("infra/hooks/postprovision.sh")), "postprovision.sh must be executable");
    }

    @Test
    void everyAzureCliOrAzdCallInAPowerShellHookHasItsExitCodeChecked() {
        // The sh hooks run with `set -e`. PowerShell has no equivalent for native commands: $ErrorActionPreference
        // = 'Stop' does not apply to their exit codes, and azd runs a hook as `pwsh <file>` (azure-dev,
        // cli/azd/pkg/tools/powershell/powershell.go), whose exit code "with normal termination ... is always 0"
        // (about_Pwsh, -File). So a failed az or azd call must be followed by a look at $LASTEXITCODE, or the hook
        // reports success (and azd up with it) for work that was not done.
        for (String hook : new String[] {"infra/hooks/postdeploy.ps1", "infra/hooks/postprovision.ps1"}) {
            java.util.List<String> statements = new java.util.ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : InfraModel.read(ROOT.resolve(hook)).split("\\R")) {
                String t = line.strip();
                if (t.startsWith("#")) {
                    continue;
                }
                current.append(t.endsWith("`") ? t.substring(0, t.length() - 1) : t).append(' ');
                if (!t.endsWith("`")) {
                    statements.add(current.toString().strip());
                    current.setLength(0);
                }
            }
            for (int i = 0; i < statements.size(); i++) {
                String s = statements.get(i);
                if (s.startsWith("az ") || s.startsWith("azd ")) {
                    String next = i + 1 < statements.size() ? statements.get(i + 1) : "";
                    assertTrue(next.contains("$LASTEXITCODE"),
                            hook + ": `" + s + "` is not followed by a check of $LASTEXITCODE, so its failure is ignored");
                }
            }
        }
    }

    @Test
    void aGuardOfAManagementGroupGetsItsRoleFromTheManagementGroupDeployment() {
        // azd deploys infra/main.bicep at subscription scope, which cannot write to a management group: the hook deploys
        // infra/managementgroup.bicep there, with parameters that file declares, when main.bicep says it guards a group.
        BicepText group = BicepText.parse("infra/managementgroup.bicep", InfraModel.read(ROOT.resolve("infra/managementgroup.bicep")));
        assertEquals("managementGroup", group.declarations().stream().filter(d -> d.kind().equals("targetScope")).findFirst()
                .map(d -> d.value() instanceof Str str ? str.text() : String.valueOf(d.value())).orElse(""));
        Set<String> declared = group.declarations().stream().filter(d -> d.kind().equals("param"))
                .map(Declaration::name).collect(Collectors.toCollection(TreeSet::new));
        Expr output = (Expr) MAIN.find("output", "GUARD_MANAGEMENT_GROUP_ID").orElseThrow().value();
        assertEquals("scopeMode == 'managementGroup' ? managementGroupId : ''", output.text());
        for (String hook : new String[] {"infra/hooks/postprovision.sh", "infra/hooks/postprovision.ps1"}) {
            String text = InfraModel.read(ROOT.resolve(hook));
            assertTrue(text.contains("GUARD_MANAGEMENT_GROUP_ID"), hook + " must act only for a guard of a management group");
            assertTrue(text.contains("az deployment mg create") && text.contains("--template-file infra/managementgroup.bicep"),
                    hook + " must deploy infra/managementgroup.bicep at the management group");
            Matcher passed = Pattern.compile("\\b([a-zA-Z]+)=(?:\"|\\$)").matcher(text.substring(text.indexOf("--parameters")));
            Set<String> names = new TreeSet<>();
            while (passed.find()) {
                names.add(passed.group(1));
            }
            assertEquals(declared, names, hook + ": the parameters passed must be the ones infra/managementgroup.bicep declares");
        }
    }

    @Test
    void theHookWaitsForTheFunctionTheCodeDefines() {
        Expr value = (Expr) MAIN.find("output", "EVENT_FUNCTION_NAME").orElseThrow().value();
        assertEquals("eventFunctionName", value.text());
        BicepText contract = BicepText.parse("contract.bicep", InfraModel.read(ROOT.resolve("infra/modules/contract.bicep")));
        Str name = (Str) contract.find("var", "eventFunctionName").orElseThrow().value();
        assertEquals(DeploymentMatchesCodeTest.eventGridFunctionName(), name.text());
    }

    @Test
    void theParametersFileSetsOnlyRealParametersWithTheirDocumentedDefaults() {
        Map<String, String> variables = parameterFileVariables();
        JsonObject parameters = JsonParser.parseString(InfraModel.read(ROOT.resolve("infra/main.parameters.json")))
                .getAsJsonObject().getAsJsonObject("parameters");
        for (String name : parameters.keySet()) {
            assertTrue(MAIN.find("param", name).isPresent(), "main.parameters.json sets unknown parameter " + name);
        }
        assertEquals("false", variables.get("DEPLOY_EVENT_SUBSCRIPTION"),
                "the first provision must not create the event subscription");
        assertEquals("${DEPLOY_EVENT_SUBSCRIPTION=false}",
                parameters.getAsJsonObject("deployEventSubscription").get("value").getAsString());
        Str modeDefault = (Str) MAIN.find("param", "remediationMode").orElseThrow().value();
        assertEquals(modeDefault.text(), variables.get("REMEDIATION_MODE"), "remediationMode default");
    }

    /** {@code ${NAME=default}} / {@code ${NAME}} references in main.parameters.json: name to default. */
    private static Map<String, String> parameterFileVariables() {
        Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?:=([^}]*))?}")
                .matcher(InfraModel.read(ROOT.resolve("infra/main.parameters.json")));
        Map<String, String> found = new LinkedHashMap<>();
        while (m.find()) {
            found.put(m.group(1), m.group(2));
        }
        return found;
    }
}
