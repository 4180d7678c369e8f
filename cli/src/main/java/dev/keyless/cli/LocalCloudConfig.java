package dev.keyless.cli;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code keyless local-cloud --config FILE} document: what to set up beyond the default demo (the simulated
 * GitHub job, more AWS client ids and roles, more issuers with token files, Google pools and Entra apps).
 *
 * <p>Every key is checked: an unknown key or a value of the wrong type fails with code
 * {@code local-cloud.invalid-config} naming the path, so a typo never silently means "default". Trust policies may
 * use the placeholders {@code ${accountId}}, {@code ${providerArn}}, {@code ${issuerHost}} and {@code ${issuerUrl}}
 * (the default issuer, whose loopback port is only known at start), and {@code ${providerArn:NAME}},
 * {@code ${issuerHost:NAME}}, {@code ${issuerUrl:NAME}} for an issuer of {@code issuers}.
 */
final class LocalCloudConfig {
    /** The simulated GitHub Actions job. */
    record Job(String repository, String branch, String tag, String environment, boolean pullRequest, String eventName,
               boolean immutableSubject) {
    }

    /** An AWS role: a trust policy, or a subject pattern the default issuer's tokens must match. */
    record Role(String name, String subject, String audience, String trustPolicy, long maxSessionDurationSeconds) {
    }

    /** A token the command writes to a file (and rewrites at half its lifetime) from an extra issuer. */
    record TokenFile(Path file, String subject, List<String> audience, Map<String, Object> claims, long lifetimeSeconds) {
    }

    /** An extra OIDC issuer, optionally registered with AWS and minting a token file. */
    record Issuer(String name, String kind, String issuerUrl, List<String> awsClientIds, Optional<TokenFile> token) {
    }

    /** A Google workload identity pool provider trusting the default issuer, and a service account it may impersonate. */
    record GooglePool(String projectId, String projectNumber, String poolId, String providerId, String attributeCondition,
                      Map<String, String> attributeMapping, List<String> allowedAudiences, String serviceAccount) {
    }

    /** An Entra application with a federated identity credential for the default issuer. */
    record EntraApp(String tenantId, String clientId, String name, String subject, String audience) {
    }

    /** GitHub's own iss, served on loopback: trust policies, pools and credentials written for GitHub work unchanged. */
    static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

    String accountId = "123456789012";
    String issuerUrl = GITHUB_ISSUER;
    Job job;
    List<String> awsClientIds = List.of();
    final List<Role> roles = new ArrayList<>();
    final List<Issuer> issuers = new ArrayList<>();
    final List<GooglePool> googlePools = new ArrayList<>();
    final List<EntraApp> entraApps = new ArrayList<>();

    static LocalCloudConfig defaults() {
        return new LocalCloudConfig();
    }

    static LocalCloudConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid(file, "$", "the file cannot be read (" + e.getClass().getSimpleName() + ")",
                    "Pass the path of a readable JSON file.");
        }
        Map<String, Object> root = Json.object(text).orElseThrow(() -> invalid(file, "$", "it is not a JSON object",
                "Write the configuration as one JSON object, e.g. {\"job\": {\"repository\": \"acme/app\"}}."));
        return new Reader(file).read(root);
    }

    static ConfigurationException invalid(Path file, String path, String problem, String fix) {
        return new ConfigurationException(Diagnosis.builder("The local cloud configuration " + file + " is invalid at "
                        + path + ": " + problem + ".")
                .code("local-cloud.invalid-config")
                .evidence("file", file)
                .evidence("at", path)
                .fix(fix + " `keyless local-cloud --help` shows the format.")
                .build());
    }

    /** Reads the JSON tree with strict keys and types. */
    private static final class Reader {
        private final Path file;

        Reader(Path file) {
            this.file = file;
        }

        LocalCloudConfig read(Map<String, Object> root) {
            LocalCloudConfig c = new LocalCloudConfig();
            keys(root, "$", "accountId", "issuerUrl", "job", "aws", "issuers", "google", "azure");
            c.accountId = string(root, "$", "accountId").orElse(c.accountId);
            c.issuerUrl = string(root, "$", "issuerUrl").orElse(GITHUB_ISSUER);
            if (c.issuerUrl.equals("loopback")) {
                c.issuerUrl = null; // the issuer's own http://127.0.0.1:PORT URL
            }
            object(root, "$", "job").ifPresent(j -> {
                keys(j, "$.job", "repository", "branch", "tag", "environment", "pullRequest", "eventName", "immutableSubject");
                c.job = new Job(string(j, "$.job", "repository").orElse(null), string(j, "$.job", "branch").orElse(null),
                        string(j, "$.job", "tag").orElse(null), string(j, "$.job", "environment").orElse(null),
                        bool(j, "$.job", "pullRequest"), string(j, "$.job", "eventName").orElse(null),
                        bool(j, "$.job", "immutableSubject"));
            });
            object(root, "$", "aws").ifPresent(aws -> {
                keys(aws, "$.aws", "clientIds", "roles");
                c.awsClientIds = strings(aws, "$.aws", "clientIds");
                List<Map<String, Object>> roles = objects(aws, "$.aws", "roles");
                for (int i = 0; i < roles.size(); i++) {
                    c.roles.add(role(roles.get(i), "$.aws.roles[" + i + "]"));
                }
            });
            List<Map<String, Object>> issuers = objects(root, "$", "issuers");
            for (int i = 0; i < issuers.size(); i++) {
                c.issuers.add(issuer(issuers.get(i), "$.issuers[" + i + "]"));
            }
            object(root, "$", "google").ifPresent(g -> {
                keys(g, "$.google", "pools");
                List<Map<String, Object>> pools = objects(g, "$.google", "pools");
                for (int i = 0; i < pools.size(); i++) {
                    c.googlePools.add(pool(pools.get(i), "$.google.pools[" + i + "]"));
                }
            });
            object(root, "$", "azure").ifPresent(a -> {
                keys(a, "$.azure", "apps");
                List<Map<String, Object>> apps = objects(a, "$.azure", "apps");
                for (int i = 0; i < apps.size(); i++) {
                    Map<String, Object> app = apps.get(i);
                    String at = "$.azure.apps[" + i + "]";
                    keys(app, at, "tenantId", "clientId", "name", "subject", "audience");
                    c.entraApps.add(new EntraApp(required(app, at, "tenantId"), required(app, at, "clientId"),
                            string(app, at, "name").orElse("local-cloud"), required(app, at, "subject"),
                            string(app, at, "audience").orElse("api://AzureADTokenExchange")));
                }
            });
            return c;
        }

        private Role role(Map<String, Object> r, String at) {
            keys(r, at, "name", "subject", "audience", "trustPolicy", "trustPolicyFile", "maxSessionDurationSeconds");
            String name = required(r, at, "name");
            Optional<String> subject = string(r, at, "subject");
            Optional<Map<String, Object>> inline = object(r, at, "trustPolicy");
            Optional<String> policyFile = string(r, at, "trustPolicyFile");
            int given = (subject.isPresent() ? 1 : 0) + (inline.isPresent() ? 1 : 0) + (policyFile.isPresent() ? 1 : 0);
            if (given != 1) {
                throw invalid(file, at, "a role needs exactly one of subject, trustPolicy or trustPolicyFile",
                        "Give \"subject\": \"repo:acme/app:*\" for the default issuer, or a full \"trustPolicy\".");
            }
            String policy = null;
            if (inline.isPresent()) {
                policy = Json.write(inline.get());
            } else if (policyFile.isPresent()) {
                Path p = file.toAbsolutePath().getParent().resolve(policyFile.get());
                try {
                    policy = Files.readString(p, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw invalid(file, at + ".trustPolicyFile", "cannot read " + p, "Give a path relative to the configuration file.");
                }
            }
            long max = number(r, at, "maxSessionDurationSeconds").orElse(3600L);
            if (max < 3600 || max > 43200) {
                throw invalid(file, at + ".maxSessionDurationSeconds", "IAM allows 3600 to 43200 seconds, got " + max,
                        "Give a number from 3600 to 43200.");
            }
            return new Role(name, subject.orElse(null), string(r, at, "audience").orElse("sts.amazonaws.com"), policy, max);
        }

        private Issuer issuer(Map<String, Object> m, String at) {
            keys(m, at, "name", "kind", "issuerUrl", "awsClientIds", "token");
            String name = required(m, at, "name");
            if (!name.matches("[a-z0-9-]{1,32}")) {
                throw invalid(file, at + ".name", "'" + name + "' is not a short name", "Use lower-case letters, digits and '-'.");
            }
            String kind = string(m, at, "kind").orElse("generic");
            if (!Set.of("generic", "github", "gitlab", "kubernetes").contains(kind)) {
                throw invalid(file, at + ".kind", "'" + kind + "' is not a token kind", "Use generic, github, gitlab or kubernetes.");
            }
            Optional<TokenFile> token = object(m, at, "token").map(t -> {
                String tat = at + ".token";
                keys(t, tat, "file", "subject", "audience", "claims", "lifetimeSeconds");
                Path f = file.toAbsolutePath().getParent().resolve(required(t, tat, "file"));
                Map<String, Object> claims = object(t, tat, "claims").orElse(Map.of());
                long lifetime = number(t, tat, "lifetimeSeconds").orElse(3600L);
                if (lifetime < 60 || lifetime > 86400) {
                    throw invalid(file, tat + ".lifetimeSeconds", "must be 60 to 86400, got " + lifetime, "Give a lifetime in seconds.");
                }
                return new TokenFile(f, string(t, tat, "subject").orElse(null), strings(t, tat, "audience"),
                        new LinkedHashMap<>(claims), lifetime);
            });
            return new Issuer(name, kind, string(m, at, "issuerUrl").orElse(null), strings(m, at, "awsClientIds"), token);
        }

        private GooglePool pool(Map<String, Object> p, String at) {
            keys(p, at, "projectId", "projectNumber", "poolId", "providerId", "attributeCondition", "attributeMapping",
                    "allowedAudiences", "serviceAccount");
            Map<String, String> mapping = new LinkedHashMap<>();
            object(p, at, "attributeMapping").ifPresent(m -> m.forEach((k, v) -> {
                if (!(v instanceof String s)) {
                    throw invalid(file, at + ".attributeMapping." + k, "a mapping is a CEL expression string",
                            "Write e.g. \"google.subject\": \"assertion.sub\".");
                }
                mapping.put(k, s);
            }));
            String number = required(p, at, "projectNumber");
            if (!number.matches("\\d{6,20}")) {
                throw invalid(file, at + ".projectNumber", "'" + number + "' is not a project number",
                        "A project number is digits only (the project id is the name); see `gcloud projects describe`.");
            }
            return new GooglePool(string(p, at, "projectId").orElse("local-project"), number, required(p, at, "poolId"),
                    required(p, at, "providerId"), string(p, at, "attributeCondition").orElse(null), mapping,
                    strings(p, at, "allowedAudiences"), string(p, at, "serviceAccount").orElse(null));
        }

        private void keys(Map<String, Object> m, String at, String... allowed) {
            for (String k : m.keySet()) {
                if (!List.of(allowed).contains(k)) {
                    throw invalid(file, at + "." + k, "unknown key '" + k + "'", "Known keys here: " + String.join(", ", allowed) + ".");
                }
            }
        }

        private String required(Map<String, Object> m, String at, String key) {
            return string(m, at, key).orElseThrow(() -> invalid(file, at + "." + key, "'" + key + "' is required",
                    "Add \"" + key + "\"."));
        }

        private Optional<String> string(Map<String, Object> m, String at, String key) {
            Object v = m.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof String s) || s.isBlank()) {
                throw invalid(file, at + "." + key, "expected a non-empty string", "Write \"" + key + "\": \"...\".");
            }
            return Optional.of(s.strip());
        }

        private boolean bool(Map<String, Object> m, String at, String key) {
            Object v = m.get(key);
            if (v == null) {
                return false;
            }
            if (!(v instanceof Boolean b)) {
                throw invalid(file, at + "." + key, "expected true or false", "Write \"" + key + "\": true.");
            }
            return b;
        }

        private Optional<Long> number(Map<String, Object> m, String at, String key) {
            Object v = m.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw invalid(file, at + "." + key, "expected a whole number", "Write \"" + key + "\": 3600.");
            }
            return Optional.of(n.longValue());
        }

        @SuppressWarnings("unchecked")
        private Optional<Map<String, Object>> object(Map<String, Object> m, String at, String key) {
            Object v = m.get(key);
            if (v == null) {
                return Optional.empty();
            }
            if (!(v instanceof Map)) {
                throw invalid(file, at + "." + key, "expected an object", "Write \"" + key + "\": { ... }.");
            }
            return Optional.of((Map<String, Object>) v);
        }

        private List<String> strings(Map<String, Object> m, String at, String key) {
            Object v = m.get(key);
            if (v == null) {
                return List.of();
            }
            if (v instanceof String s) {
                return List.of(s);
            }
            if (!(v instanceof List<?> list) || list.stream().anyMatch(x -> !(x instanceof String))) {
                throw invalid(file, at + "." + key, "expected a list of strings", "Write \"" + key + "\": [\"...\"].");
            }
            return list.stream().map(String.class::cast).toList();
        }

        @SuppressWarnings("unchecked")
        private List<Map<String, Object>> objects(Map<String, Object> m, String at, String key) {
            Object v = m.get(key);
            if (v == null) {
                return List.of();
            }
            if (!(v instanceof List<?> list) || list.stream().anyMatch(x -> !(x instanceof Map))) {
                throw invalid(file, at + "." + key, "expected a list of objects", "Write \"" + key + "\": [{ ... }].");
            }
            return (List<Map<String, Object>>) list;
        }
    }
}
