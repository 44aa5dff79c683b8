package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.infra.BicepText.Arr;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Loop;
import dev.aksrouteguard.infra.BicepText.Obj;
import dev.aksrouteguard.infra.BicepText.Str;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Bicep reader the consistency tests rely on, on the constructs infra/ uses. */
class BicepTextTest {

    @Test
    void commentsAreRemovedButNotInsideStrings() {
        BicepText b = BicepText.parse("t.bicep", """
                // a comment with 'quotes'
                var url = 'https://example.com/a' // trailing
                /* block
                   comment */
                var other = 'it''s'
                """.replace("'it''s'", "'it\\'s'"));
        assertEquals(new Str("https://example.com/a"), b.find("var", "url").orElseThrow().value());
        assertEquals(new Str("it's"), b.find("var", "other").orElseThrow().value());
    }

    @Test
    void arraysAcrossLinesWithTrailingCommentsHoldTheirStrings() {
        BicepText b = BicepText.parse("t.bicep", """
                @export()
                var actions = [
                  // why
                  'A/read'
                  'B/write' // linked
                ]
                """);
        assertEquals(new Arr(List.of(new Str("A/read"), new Str("B/write"))), b.find("var", "actions").orElseThrow().value());
    }

    @Test
    void objectsKeepKeysInOrderAndExpressionsAsWritten() {
        BicepText b = BicepText.parse("t.bicep", """
                var settings = {
                  A: subscription().subscriptionId
                  'quoted-key': 'x'
                  C: empty(p) ? '' : '@Microsoft.KeyVault(SecretUri=${p})'
                  D: { inline: 'y', other: 2 }
                }
                """);
        Obj o = (Obj) b.find("var", "settings").orElseThrow().value();
        assertEquals(List.of("A", "quoted-key", "C", "D"), List.copyOf(o.entries().keySet()));
        assertEquals(new Expr("subscription().subscriptionId"), o.entries().get("A"));
        assertEquals(new Expr("empty(p) ? '' : '@Microsoft.KeyVault(SecretUri=${p})'"), o.entries().get("C"));
        assertEquals(new Str("y"), o.at("D.inline").orElseThrow());
        assertEquals(new Expr("2"), o.at("D.other").orElseThrow());
    }

    @Test
    void interpolatedStringsWithNestedQuotesAreExpressions() {
        BicepText b = BicepText.parse("t.bicep", """
                var name = 'func-${toLower('A}B')}-x'
                var after = 'ok'
                """);
        assertEquals(new Expr("'func-${toLower('A}B')}-x'"), b.find("var", "name").orElseThrow().value());
        assertEquals(new Str("ok"), b.find("var", "after").orElseThrow().value());
    }

    @Test
    void resourcesAndModulesWithConditionsExistingAndDecorators() {
        BicepText b = BicepText.parse("t.bicep", """
                targetScope = 'subscription'
                import { a, b } from 'contract.bicep'
                @description('multi
                line')
                param flag bool = false
                @metadata({
                  azd: { type: 'location' }
                })
                param location string
                resource t 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = if (flag) {
                  name: 'x'
                }
                module m 'modules/m.bicep' = if (!empty(location)) {
                  name: 'm'
                  params: {
                    list: union(a, [
                      'c'
                    ])
                  }
                }
                output o string = m.outputs.x
                """);
        Declaration t = b.find("resource", "t").orElseThrow();
        assertEquals("Microsoft.EventGrid/systemTopics@2022-06-15", t.type());
        assertTrue(t.existing());
        assertEquals("flag", t.condition());
        assertEquals(new Expr("false"), b.find("param", "flag").orElseThrow().value());
        assertEquals("string", b.find("param", "location").orElseThrow().type());
        Declaration m = b.find("module", "m").orElseThrow();
        assertEquals("!empty(location)", m.condition());
        assertEquals(new Expr("union(a, [\n      'c'\n    ])"), ((Obj) m.value()).at("params.list").orElseThrow());
        assertEquals(new Expr("m.outputs.x"), b.find("output", "o").orElseThrow().value());
        assertEquals(1, b.resources("microsoft.eventgrid/systemtopics").size());
    }

    @Test
    void loopsKeepTheirHeaderConditionAndBodyAndValuesKnowTheirLines() {
        BicepText b = BicepText.parse("t.bicep", """
                param names array
                resource r 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for (n, i) in names: if (i > 0) {
                  name: n
                  properties: {
                    publicAccess: 'None'
                  }
                }]
                var list = [for x in names: {
                  id: x
                }]
                """);
        Loop loop = (Loop) b.find("resource", "r").orElseThrow().value();
        assertEquals("(n, i) in names", loop.header());
        assertEquals("i > 0", loop.condition());
        Obj body = (Obj) loop.body();
        assertEquals(new Str("None"), body.at("properties.publicAccess").orElseThrow());
        assertEquals(5, b.lineOf(body.at("properties.publicAccess").orElseThrow()));
        assertEquals(2, b.lineOf(loop));
        Loop list = (Loop) b.find("var", "list").orElseThrow().value();
        assertEquals(new Expr("x"), ((Obj) list.body()).get("id").orElseThrow());
        assertEquals(0, b.lineOf(new Str("None")), "a value from elsewhere has no line here");
    }

    @Test
    void whatItCannotReadFailsWithFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BicepText.parse("bad.bicep", "var ok = 1\nvar broken = {\n  a: 1\n"));
        assertTrue(e.getMessage().startsWith("bad.bicep:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BicepText.parse("bad.bicep", "what is this"));
    }
}
