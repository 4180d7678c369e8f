package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads the identity token from a file on every call: a Kubernetes projected service-account token, the
 * file named by {@code AWS_WEB_IDENTITY_TOKEN_FILE} or {@code AZURE_FEDERATED_TOKEN_FILE}.
 *
 * <p>The file is re-read each time because its writer (the kubelet) rotates it; nothing is cached. The
 * content is trimmed and must be a JWT. By default, a file larger than 64 KiB is refused without being read
 * in full. The audience is fixed by whoever writes the file, so {@link #supportsRequestedAudience()} is
 * false and a request for an audience the token lacks fails with a {@link ConfigurationException}
 * (code {@code token.audience-fixed}) that says where the audience is set.
 *
 * <p>Failures are never retryable: a missing file, a directory, an unreadable file are
 * {@link ConfigurationException}s; an empty, oversized or non-JWT file is a {@link TokenException}.
 * Instances are immutable and thread-safe.
 */
public final class FileTokenSource implements TokenSource {
    /** The default size limit: 64 KiB, far above any real identity token. */
    public static final int DEFAULT_MAX_SIZE = 64 * 1024;
    /** The largest size limit a builder accepts: 16 MiB. */
    public static final int MAX_SIZE_LIMIT = 16 * 1024 * 1024;

    static final String DEFAULT_AUDIENCE_HINT = "The audience of a file token is set by whoever writes the file: "
            + "for a Kubernetes projected service-account token, `serviceAccountToken.audience` in the pod spec's "
            + "projected volume (EKS: the `eks.amazonaws.com/audience` service-account annotation, default "
            + "sts.amazonaws.com; AKS workload identity: api://AzureADTokenExchange).";

    private final Path path;
    private final int maxSize;
    private final String audienceHint;
    private final String configuredBy;

    private FileTokenSource(Builder b) {
        this.path = b.path;
        this.maxSize = b.maxSize;
        this.audienceHint = b.audienceHint;
        this.configuredBy = b.configuredBy;
    }

    /** A source reading the given file, with the default size limit. */
    public static FileTokenSource of(Path path) {
        return builder().path(path).build();
    }

    /** A source reading the file at the given path, with the default size limit. */
    public static FileTokenSource of(String path) {
        return builder().path(path).build();
    }

    /** A builder; only the path is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this source's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.path = path;
        b.maxSize = maxSize;
        b.audienceHint = audienceHint;
        b.configuredBy = configuredBy;
        return b;
    }

    /** The file read on every call. */
    public Path path() {
        return path;
    }

    /** The largest file accepted, in bytes. */
    public int maxSize() {
        return maxSize;
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        String content = read();
        if (content.isBlank()) {
            throw new TokenException(Diagnosis.builder("The token file " + path + " is empty.")
                    .code("file.empty")
                    .likelyCause("Something created the file without writing a token to it; the kubelet and the "
                            + "cloud webhooks replace token files atomically, so they never leave one empty.")
                    .evidence("path", path)
                    .evidence("configured by", configuredBy)
                    .fix("Check what writes " + path + " and that it writes an OIDC ID token; if the path is "
                            + "wrong, point " + configuredByText() + " at the projected token file.")
                    .build(), false);
        }
        IdentityToken token = IdentityToken.parse(content, "file " + path);
        FixedAudience.check(token, request, name(), audienceHint);
        return token;
    }

    @Override
    public String name() {
        return "file:" + path;
    }

    /** {@code false}: the audience is fixed by whoever writes the file. */
    @Override
    public boolean supportsRequestedAudience() {
        return false;
    }

    @Override
    public String toString() {
        return "FileTokenSource{path=" + path + ", maxSize=" + maxSize
                + (configuredBy == null ? "" : ", configuredBy=" + configuredBy) + "}";
    }

    /**
     * Why the file cannot be read at all (missing, a directory, unreadable), checked through java.nio without
     * reading the content; empty when it looks readable. Detection uses it to tell "here" from "here but broken".
     */
    Optional<ConfigurationException> locationProblem() {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.of(missing());
        } catch (AccessDeniedException e) {
            return Optional.of(unreadable(e));
        } catch (IOException e) {
            return Optional.empty(); // Anything else is for token() to report with its details.
        }
        if (attrs.isDirectory()) {
            return Optional.of(directory());
        }
        if (!Files.isReadable(path)) {
            return Optional.of(unreadable(null));
        }
        return Optional.empty();
    }

    private String read() {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw translate(e);
        }
        if (attrs.isDirectory()) {
            throw directory();
        }
        // Refuse by size before reading; files whose size the OS does not report (pipes, /proc) are capped below.
        if (attrs.isRegularFile() && attrs.size() > maxSize) {
            throw tooLarge(String.valueOf(attrs.size()));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(maxSize + 1);
        } catch (IOException e) {
            throw translate(e);
        }
        if (bytes.length > maxSize) {
            throw tooLarge("more than " + maxSize);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Turns an I/O failure on the token file into a diagnosed exception. Package-private for tests. */
    KeylessException translate(IOException e) {
        if (e instanceof NoSuchFileException) {
            return missing();
        }
        if (e instanceof AccessDeniedException) {
            return unreadable((AccessDeniedException) e);
        }
        // The exception text names the path and the OS reason; it never holds file content.
        return new TokenException(Diagnosis.builder("The token file " + path + " could not be read: " + e + ".")
                .code("file.read-failed")
                .likelyCause("An I/O error on the file system that holds the token.")
                .evidence("path", path)
                .evidence("configured by", configuredBy)
                .fix("Check that " + path + " is a regular, readable file on a healthy volume.")
                .build(), false, e);
    }

    private ConfigurationException missing() {
        Path parent = path.toAbsolutePath().getParent();
        boolean parentExists = parent != null && Files.isDirectory(parent);
        return new ConfigurationException(Diagnosis.builder("The token file " + path + " does not exist.")
                .code("file.missing")
                .likelyCause("The projected service-account token volume is not mounted in this container, or "
                        + configuredByText() + " points somewhere else. (A file missing for an instant while the "
                        + "kubelet rotates it is rare: rotation swaps a symlink atomically.)")
                .evidence("path", path)
                .evidence("configured by", configuredBy)
                .evidence("parent directory exists", parentExists ? "yes" : "no")
                .fix("Mount a projected volume with a `serviceAccountToken` source (its `path` and `audience`) at "
                        + (parent == null ? "the path" : parent) + " through the container's `volumeMounts`, or point "
                        + configuredByText() + " at the token file that exists.")
                .build());
    }

    private ConfigurationException directory() {
        return new ConfigurationException(Diagnosis.builder("The token file " + path + " is a directory.")
                .code("file.is-directory")
                .likelyCause(configuredByText() + " names the mount point of the token volume instead of the file "
                        + "inside it.")
                .evidence("path", path)
                .evidence("configured by", configuredBy)
                .fix("Point " + configuredByText() + " at the token file inside the directory, e.g. " + path.resolve("token")
                        + " (the `path` of the projected `serviceAccountToken` source).")
                .build());
    }

    private ConfigurationException unreadable(AccessDeniedException e) {
        return new ConfigurationException(Diagnosis.builder("The token file " + path + " cannot be read: permission "
                        + "denied.")
                .code("file.unreadable")
                .likelyCause("The process runs as a user that may not read the file: the volume's file mode, owner "
                        + "or fsGroup exclude it.")
                .evidence("path", path)
                .evidence("configured by", configuredBy)
                .fix("Run as a user allowed to read " + path + ": set `securityContext.fsGroup` (or runAsUser) in the "
                        + "pod spec, or `defaultMode` of the projected volume.")
                .build(), e);
    }

    private TokenException tooLarge(String size) {
        return new TokenException(Diagnosis.builder("The token file " + path + " is " + size + " bytes, over the limit of "
                        + maxSize + " bytes.")
                .code("file.too-large")
                .likelyCause("The path points at some other file than an identity token (tokens are a few KiB).")
                .evidence("path", path)
                .evidence("size", size)
                .evidence("limit", maxSize)
                .fix("Point " + configuredByText() + " at the identity token file, or raise the limit with "
                        + "FileTokenSource.builder().maxSize(bytes) if the token really is that large.")
                .build(), false);
    }

    private String configuredByText() {
        return configuredBy == null ? "the configured path" : configuredBy;
    }

    /** Builds a {@link FileTokenSource}; only {@link #path(Path)} is required. */
    public static final class Builder {
        private Path path;
        private int maxSize = DEFAULT_MAX_SIZE;
        private String audienceHint = DEFAULT_AUDIENCE_HINT;
        private String configuredBy;

        private Builder() {
        }

        /** The token file. Required. */
        public Builder path(Path path) {
            if (path == null) {
                throw ConfigurationException.badOption("path", "it is null", "Pass the path of the token file.");
            }
            this.path = path;
            return this;
        }

        /** The token file, as a string path. Required. */
        public Builder path(String path) {
            if (path == null || path.isBlank()) {
                throw ConfigurationException.badOption("path", "it is empty", "Pass the path of the token file.");
            }
            try {
                return path(Path.of(path.strip()));
            } catch (InvalidPathException e) {
                throw ConfigurationException.badOption("path", "it is not a valid path (" + e.getReason() + ")",
                        "Pass the path of the token file.");
            }
        }

        /** The largest file accepted, in bytes. By default, 64 KiB; at most 16 MiB. */
        public Builder maxSize(int bytes) {
            if (bytes < 1 || bytes > MAX_SIZE_LIMIT) {
                throw ConfigurationException.badOption("maxSize", "it is " + bytes,
                        "Pass a size in bytes between 1 and " + MAX_SIZE_LIMIT + "; the default is " + DEFAULT_MAX_SIZE + ".");
            }
            this.maxSize = bytes;
            return this;
        }

        /**
         * Where the token's audience is configured, shown when a request asks for another audience. By default,
         * a sentence about the Kubernetes projected volume's {@code serviceAccountToken.audience}.
         */
        public Builder audienceHint(String whereAudienceIsSet) {
            this.audienceHint = ConfigurationException.requireText("audienceHint", whereAudienceIsSet,
                    "Say where the token's audience is configured, or leave the default.");
            return this;
        }

        /**
         * Where the path came from, named in errors so that they say what to change, for example
         * {@code AWS_WEB_IDENTITY_TOKEN_FILE}. By default, none ("the configured path").
         */
        public Builder configuredBy(String origin) {
            this.configuredBy = ConfigurationException.requireText("configuredBy", origin,
                    "Name the variable or setting the path came from, or leave it unset.");
            return this;
        }

        /** The source. */
        public FileTokenSource build() {
            if (path == null) {
                throw ConfigurationException.badOption("path", "it is not set",
                        "Call path(...) with the token file, e.g. /var/run/secrets/tokens/token.");
            }
            return new FileTokenSource(this);
        }
    }
}
