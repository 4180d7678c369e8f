package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/TROUBLESHOOTING.md and the code never drift apart: every diagnosis code in the main sources of core, aws, gcp,
 * azure and cli has an entry, and every entry names a code that exists.
 *
 * <p>A code is a string literal shaped {@code area.name[.more]} whose area is one that a {@code .code(...)} call uses
 * (so codes passed through helpers, constants and enums such as {@code Mismatch.Kind} are found too), plus
 * {@code PREFIX + "suffix"} concatenations of a {@code static final String} prefix ending in a dot (the linter's
 * {@code aws.trust.lint.*}). Host names and file names are not codes; the few other literals of that shape are listed in
 * {@link #NOT_CODES}, and the test checks they still exist.
 */
class TroubleshootingDocTest {
    private static final List<String> MODULES = List.of("core", "aws", "gcp", "azure", "cli");
    /** Literals shaped like codes that are something else: a system property, a Google attribute mapping key. */
    private static final Set<String> NOT_CODES = Set.of("aws.region", "google.subject");
    private static final Set<String> NOT_AN_AREA_SUFFIX = Set.of("com", "net", "org", "io", "cn", "us", "dev",
            "json", "pem", "jwt", "txt", "env", "xml", "yml", "yaml", "properties");

    private static final Pattern LITERAL = Pattern.compile("\"([a-z][a-z0-9-]*(?:\\.[a-z0-9-]+)+)\"");
    private static final Pattern PREFIX_CONSTANT = Pattern.compile("static final String (\\w+) = \"([a-z][a-z0-9.-]*\\.)\";");
    private static final Pattern DOC_ENTRY = Pattern.compile("^### `([a-z0-9.-]+)`", Pattern.MULTILINE);

    static Path root;
    static TreeMap<String, String> sources;

    @BeforeAll
    static void read() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        root = Files.exists(here.resolve("docs/TROUBLESHOOTING.md")) ? here : here.getParent();
        sources = new TreeMap<>();
        for (String module : MODULES) {
            Path dir = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    try {
                        sources.put(root.relativize(f).toString(), Files.readString(f, StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    static Set<String> codesInCode() {
        Set<String> areas = new TreeSet<>();
        for (String text : sources.values()) {
            for (String line : text.split("\n")) {
                if (line.contains(".code(")) {
                    Matcher m = LITERAL.matcher(line);
                    while (m.find()) {
                        areas.add(m.group(1).substring(0, m.group(1).indexOf('.')));
                    }
                }
            }
        }
        Set<String> codes = new TreeSet<>();
        for (String text : sources.values()) {
            Matcher m = LITERAL.matcher(text);
            while (m.find()) {
                String c = m.group(1);
                String area = c.substring(0, c.indexOf('.'));
                String last = c.substring(c.lastIndexOf('.') + 1);
                if (areas.contains(area) && !NOT_AN_AREA_SUFFIX.contains(last) && !NOT_CODES.contains(c)) {
                    codes.add(c);
                }
            }
            Matcher p = PREFIX_CONSTANT.matcher(text);
            while (p.find()) {
                Matcher suffix = Pattern.compile(Pattern.quote(p.group(1)) + "\\s*\\+\\s*\"([a-z0-9-]+)\"").matcher(text);
                while (suffix.find()) {
                    codes.add(p.group(2) + suffix.group(1));
                }
            }
        }
        return codes;
    }

    static Set<String> codesInDoc() throws IOException {
        String doc = Files.readString(root.resolve("docs/TROUBLESHOOTING.md"), StandardCharsets.UTF_8);
        Set<String> codes = new TreeSet<>();
        Matcher m = DOC_ENTRY.matcher(doc);
        while (m.find()) {
            assertThat(codes.add(m.group(1))).as("duplicate entry " + m.group(1)).isTrue();
        }
        return codes;
    }

    @Test
    void theScanFindsTheDiagnosesTheDoctorIsAbout() {
        assertThat(codesInCode()).contains("github.missing-id-token-permission", "aws.sts.access-denied",
                "aws.trust.typo", "aws.trust.subject-form", "aws.trust.lint.no-subject-condition", "aws.sts.duration-too-long",
                "doctor.token-expired", "local-cloud.invalid-config");
        if (sources.keySet().stream().anyMatch(f -> f.startsWith("gcp/"))) {
            assertThat(codesInCode()).contains("gcp.provider-project-id", "gcp.sts.attribute-condition");
        }
        if (sources.keySet().stream().anyMatch(f -> f.startsWith("azure/"))) {
            assertThat(codesInCode()).contains("azure.subject-mismatch", "azure.issuer-mismatch");
        }
    }

    @Test
    void everyCodeInTheSourcesHasAnEntry() throws IOException {
        Set<String> missing = new TreeSet<>(codesInCode());
        missing.removeAll(codesInDoc());
        assertThat(missing).as("diagnosis codes without an entry in docs/TROUBLESHOOTING.md").isEmpty();
    }

    @Test
    void everyEntryNamesACodeThatExists() throws IOException {
        Set<String> stale = new TreeSet<>(codesInDoc());
        stale.removeAll(codesInCode());
        assertThat(stale).as("entries in docs/TROUBLESHOOTING.md for codes no source uses").isEmpty();
    }

    @Test
    void theLiteralsThatAreNotCodesStillExist() {
        for (String notACode : NOT_CODES) {
            assertThat(sources.values()).as(notACode).anyMatch(text -> text.contains("\"" + notACode + "\""));
        }
    }
}
