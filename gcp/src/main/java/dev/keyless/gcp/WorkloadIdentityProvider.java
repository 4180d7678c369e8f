package dev.keyless.gcp;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The full resource name of a workload identity pool provider (or a workforce pool provider), validated.
 *
 * <p>{@link #parse(String)} accepts {@code projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER}
 * and {@code locations/global/workforcePools/POOL/providers/PROVIDER}, bare or with a {@code //iam.googleapis.com/}
 * or {@code https://iam.googleapis.com/} prefix, and rejects, with a fix, the mistakes Google's STS answers only with
 * {@code invalid_target} or {@code invalid_request}: a project id where the number belongs, a pool without its
 * provider, a {@code principalSet://} member pasted in place of the provider.
 *
 * <p>From it derive the STS audience ({@code //iam.googleapis.com/...}, {@link #stsAudience()}), the default
 * audience of the identity token ({@code https://iam.googleapis.com/...}, {@link #defaultTokenAudience()}, the value
 * Google's providers accept by default) and IAM member names for grants ({@link #principal}, {@link #principalSet}).
 */
public final class WorkloadIdentityProvider {
    private static final Pattern WORKLOAD = Pattern.compile(
            "projects/([^/]+)/locations/([^/]+)/workloadIdentityPools/([^/]+)/providers/([^/]+)");
    private static final Pattern WORKLOAD_POOL = Pattern.compile(
            "projects/([^/]+)/locations/([^/]+)/workloadIdentityPools/([^/]+)/?");
    private static final Pattern WORKLOAD_PRINCIPAL = Pattern.compile(
            "projects/([^/]+)/locations/([^/]+)/workloadIdentityPools/([^/]+)/(attribute\\.[^/]+|subject|group|\\*).*");
    private static final Pattern WORKFORCE = Pattern.compile(
            "locations/([^/]+)/workforcePools/([^/]+)/providers/([^/]+)");
    private static final Pattern WORKFORCE_POOL = Pattern.compile("locations/([^/]+)/workforcePools/([^/]+)/?");
    private static final Pattern PREFIX = Pattern.compile("^(?:(?:https:)?//iam\\.[a-z0-9.-]+/|principalSet://iam\\.[a-z0-9.-]+/|principal://iam\\.[a-z0-9.-]+/)");
    private static final Pattern ID = Pattern.compile("[a-z0-9-]{4,32}");
    private static final Pattern WORKFORCE_POOL_ID = Pattern.compile("[a-z][a-z0-9-]{4,61}[a-z0-9]");
    private static final String OPTION = "provider";

    private final String projectNumber;
    private final String location;
    private final String poolId;
    private final String providerId;
    private final boolean workforce;

    private WorkloadIdentityProvider(String projectNumber, String location, String poolId, String providerId,
            boolean workforce) {
        this.projectNumber = projectNumber;
        this.location = location;
        this.poolId = poolId;
        this.providerId = providerId;
        this.workforce = workforce;
    }

    /** A workload identity pool provider from its parts; the project is given by number. */
    public static WorkloadIdentityProvider of(String projectNumber, String poolId, String providerId) {
        return parse("projects/" + projectNumber + "/locations/global/workloadIdentityPools/" + poolId
                + "/providers/" + providerId);
    }

    /** A workforce pool provider (location global). Pass its user project to the credentials' builder. */
    public static WorkloadIdentityProvider workforce(String poolId, String providerId) {
        return parse("locations/global/workforcePools/" + poolId + "/providers/" + providerId);
    }

    /**
     * Parses and validates a provider resource name.
     *
     * @throws ConfigurationException naming what is wrong (project id, pool, principal set, malformed) and the fix
     */
    public static WorkloadIdentityProvider parse(String name) {
        if (name == null || name.isBlank()) {
            throw ConfigurationException.badOption(OPTION, "it is empty",
                    "Pass projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER.");
        }
        String given = name.strip();
        boolean principalForm = given.startsWith("principal");
        String s = PREFIX.matcher(given).replaceFirst("");
        Matcher m = WORKLOAD.matcher(s);
        if (m.matches() && !principalForm) {
            String project = m.group(1);
            if (!project.matches("[0-9]+")) {
                throw projectId(given, project, m.group(3), m.group(4));
            }
            requireGlobal(given, m.group(2));
            requireId(given, "pool", m.group(3), ID);
            requireId(given, "provider", m.group(4), ID);
            return new WorkloadIdentityProvider(project, "global", m.group(3), m.group(4), false);
        }
        Matcher principal = WORKLOAD_PRINCIPAL.matcher(s);
        if (principal.matches() || principalForm) {
            throw new ConfigurationException(Diagnosis.builder(
                            "The workload identity provider '" + given + "' is an IAM principal, not a provider.")
                    .code("gcp.provider-is-principal")
                    .likelyCause("A principalSet:// or principal:// member (what you grant roles to) was pasted where "
                            + "the provider's resource name belongs.")
                    .evidence(OPTION, given)
                    .fix("Pass the provider: projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/"
                            + "providers/PROVIDER. List them with: gcloud iam workload-identity-pools providers list "
                            + "--workload-identity-pool=POOL --location=global")
                    .build());
        }
        Matcher pool = WORKLOAD_POOL.matcher(s);
        if (pool.matches()) {
            String project = pool.group(1);
            throw new ConfigurationException(Diagnosis.builder(
                            "The workload identity provider '" + given + "' names a pool, not a provider.")
                    .code("gcp.provider-is-pool")
                    .likelyCause("The name stops at workloadIdentityPools/" + pool.group(3) + "; Google's STS answers "
                            + "such an audience with invalid_request (Invalid value for \"audience\").")
                    .evidence(OPTION, given)
                    .fix("Append the provider: " + s.replaceAll("/$", "") + "/providers/PROVIDER. List the pool's "
                            + "providers with: gcloud iam workload-identity-pools providers list --workload-identity-pool="
                            + pool.group(3) + " --location=global --project=" + project)
                    .build());
        }
        Matcher f = WORKFORCE.matcher(s);
        if (f.matches()) {
            requireGlobal(given, f.group(1));
            requireId(given, "workforce pool", f.group(2), WORKFORCE_POOL_ID);
            requireId(given, "provider", f.group(3), ID);
            return new WorkloadIdentityProvider(null, "global", f.group(2), f.group(3), true);
        }
        Matcher fp = WORKFORCE_POOL.matcher(s);
        if (fp.matches()) {
            throw new ConfigurationException(Diagnosis.builder(
                            "The workforce provider '" + given + "' names a workforce pool, not a provider.")
                    .code("gcp.provider-is-pool")
                    .evidence(OPTION, given)
                    .fix("Append the provider: " + s.replaceAll("/$", "") + "/providers/PROVIDER.")
                    .build());
        }
        throw new ConfigurationException(Diagnosis.builder(
                        "'" + given + "' is not a workload identity provider resource name.")
                .code("gcp.provider-malformed")
                .evidence(OPTION, given)
                .fix("Pass projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER "
                        + "(or locations/global/workforcePools/POOL/providers/PROVIDER for a workforce pool). "
                        + "`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool=POOL "
                        + "--location=global --format='value(name)'` prints it.")
                .build());
    }

    private static ConfigurationException projectId(String given, String project, String pool, String provider) {
        return new ConfigurationException(Diagnosis.builder("The workload identity provider '" + given
                        + "' names project '" + project + "' by id; Workload Identity Federation needs the project number.")
                .code("gcp.provider-project-id")
                .likelyCause("Google's STS does not resolve project ids in provider names and answers invalid_target.")
                .evidence(OPTION, given)
                .evidence("project", project)
                .fix("Use the number: gcloud projects describe " + project + " --format='value(projectNumber)', then "
                        + "projects/NUMBER/locations/global/workloadIdentityPools/" + pool + "/providers/" + provider + ".")
                .build());
    }

    private static void requireGlobal(String given, String location) {
        if (!location.equals("global")) {
            throw ConfigurationException.badOption(OPTION, "'" + given + "' has location '" + location
                    + "'; workload identity and workforce pools exist only in location global",
                    "Use locations/global in the provider name.");
        }
    }

    private static void requireId(String given, String what, String id, Pattern pattern) {
        if (!pattern.matcher(id).matches()) {
            throw ConfigurationException.badOption(OPTION, "the " + what + " id '" + id + "' in '" + given
                    + "' is not a valid id (4 to 32 lowercase letters, digits or hyphens)",
                    "Copy the provider's full name from `gcloud iam workload-identity-pools providers describe`.");
        }
    }

    /** {@code projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER} (or the workforce form). */
    public String resourceName() {
        return poolResourceName() + "/providers/" + providerId;
    }

    /** {@code projects/NUMBER/locations/global/workloadIdentityPools/POOL} (or {@code locations/global/workforcePools/POOL}). */
    public String poolResourceName() {
        return workforce ? "locations/" + location + "/workforcePools/" + poolId
                : "projects/" + projectNumber + "/locations/" + location + "/workloadIdentityPools/" + poolId;
    }

    /** The STS {@code audience} (google-auth's {@code audience}): {@code //iam.googleapis.com/} + the resource name. */
    public String stsAudience() {
        return "//iam.googleapis.com/" + resourceName();
    }

    /**
     * The audience to request from the token source by default: {@code https://iam.googleapis.com/} + the resource
     * name, which a provider accepts when it has no allowed audiences configured.
     */
    public String defaultTokenAudience() {
        return "https://iam.googleapis.com/" + resourceName();
    }

    /** The project number; empty for a workforce pool (organization-level). */
    public Optional<String> projectNumber() {
        return Optional.ofNullable(projectNumber);
    }

    public String poolId() {
        return poolId;
    }

    public String providerId() {
        return providerId;
    }

    /** Whether this is a workforce pool provider (users) rather than a workload identity pool provider (workloads). */
    public boolean isWorkforce() {
        return workforce;
    }

    /** The IAM member for one federated identity: {@code principal://iam.googleapis.com/<pool>/subject/SUBJECT}. */
    public String principal(String subject) {
        return "principal://iam.googleapis.com/" + poolResourceName() + "/subject/" + Objects.requireNonNull(subject, "subject");
    }

    /** The IAM member for identities with a mapped attribute value: {@code principalSet://iam.googleapis.com/<pool>/attribute.NAME/VALUE}. */
    public String principalSet(String attribute, String value) {
        String name = attribute.startsWith("attribute.") ? attribute.substring("attribute.".length()) : attribute;
        return "principalSet://iam.googleapis.com/" + poolResourceName() + "/attribute." + name + "/"
                + Objects.requireNonNull(value, "value");
    }

    /** The IAM member for every identity of the pool: {@code principalSet://iam.googleapis.com/<pool>/*}. */
    public String allIdentities() {
        return "principalSet://iam.googleapis.com/" + poolResourceName() + "/*";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkloadIdentityProvider && ((WorkloadIdentityProvider) o).resourceName().equals(resourceName());
    }

    @Override
    public int hashCode() {
        return resourceName().hashCode();
    }

    @Override
    public String toString() {
        return resourceName();
    }
}
