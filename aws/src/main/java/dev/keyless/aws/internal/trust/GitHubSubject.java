package dev.keyless.aws.internal.trust;

/**
 * A GitHub Actions subject, name-only ({@code repo:ORG/REPO:CONTEXT}) or immutable
 * ({@code repo:ORG@OWNER_ID/REPO@REPO_ID:CONTEXT}); the context is {@code ref:refs/heads/main},
 * {@code environment:prod}, {@code pull_request}... or null when the value stops after the repository.
 * Works on policy patterns too (parts may hold wildcards).
 */
public record GitHubSubject(String owner, String ownerId, String repo, String repoId, String context) {

    /** Parses a subject or pattern, or returns null when it does not have the {@code repo:OWNER/REPO} shape. */
    public static GitHubSubject parse(String s) {
        if (s == null || !s.startsWith("repo:")) {
            return null;
        }
        String rest = s.substring(5);
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String ownerPart = rest.substring(0, slash);
        if (ownerPart.indexOf(':') >= 0) {
            return null;
        }
        String after = rest.substring(slash + 1);
        int colon = after.indexOf(':');
        String repoPart = colon < 0 ? after : after.substring(0, colon);
        String context = colon < 0 ? null : after.substring(colon + 1);
        if (repoPart.isEmpty()) {
            return null;
        }
        int oa = ownerPart.indexOf('@');
        int ra = repoPart.indexOf('@');
        return new GitHubSubject(oa < 0 ? ownerPart : ownerPart.substring(0, oa), oa < 0 ? null : ownerPart.substring(oa + 1),
                ra < 0 ? repoPart : repoPart.substring(0, ra), ra < 0 ? null : repoPart.substring(ra + 1), context);
    }

    /** {@code repo:ORG/REPO} or {@code repo:ORG@ID/REPO@ID}. */
    public String prefix() {
        return "repo:" + owner + (ownerId != null ? "@" + ownerId : "") + "/" + repo + (repoId != null ? "@" + repoId : "");
    }

    /** What follows the prefix: {@code :CONTEXT}, or empty. */
    public String rest() {
        return context == null ? "" : ":" + context;
    }

    /** {@code ORG/REPO}. */
    public String names() {
        return owner + "/" + repo;
    }

    public boolean immutableForm() {
        return ownerId != null || repoId != null;
    }
}
