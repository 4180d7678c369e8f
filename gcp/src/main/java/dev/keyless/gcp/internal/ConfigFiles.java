package dev.keyless.gcp.internal;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes credential files readable by their owner only, never inside a checked-out workspace unless allowed.
 *
 * <p>The content goes to a new owner-only temporary file in the target directory, which is then moved over the
 * target: a reader never sees a half-written file, and the file is never readable by others, even for a moment.
 */
public final class ConfigFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final List<String> WORKSPACE_VARIABLES = List.of("GITHUB_WORKSPACE", "CI_PROJECT_DIR",
            "BUILD_SOURCESDIRECTORY", "BITBUCKET_CLONE_DIR", "CIRCLE_WORKING_DIRECTORY");

    private ConfigFiles() {
    }

    /** Writes to a new, randomly named file in {@code $RUNNER_TEMP} or the system temporary directory. */
    public static Path writeDefault(String content, Environment env, boolean allowWorkspace) {
        Path dir = env.get("RUNNER_TEMP").map(Path::of).orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir")));
        try {
            Files.createDirectories(dir);
            checkOutsideWorkspace(dir.resolve("keyless-gcp.json"), env, allowWorkspace);
            Path file = posix()
                    ? Files.createTempFile(dir, "keyless-gcp-", ".json", ownerOnly())
                    : Files.createTempFile(dir, "keyless-gcp-", ".json");
            restrict(file);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw cannotWrite(dir, e);
        }
    }

    /** Writes {@code content} at {@code file}, replacing it, owner-only. */
    public static Path write(Path file, String content, Environment env, boolean allowWorkspace) {
        Path target = file.toAbsolutePath().normalize();
        checkOutsideWorkspace(target, env, allowWorkspace);
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = posix() ? Files.createTempFile(dir, ".keyless-", ".tmp", ownerOnly())
                    : Files.createTempFile(dir, ".keyless-", ".tmp");
            try {
                restrict(tmp);
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            restrict(target);
            return target;
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
    }

    /** The workspace that contains {@code path}, if any: a CI workspace variable's directory or a git work tree. */
    public static Optional<Path> enclosingWorkspace(Path path, Environment env) {
        Path p = path.toAbsolutePath().normalize();
        for (String var : WORKSPACE_VARIABLES) {
            Optional<Path> ws = env.get(var).map(v -> Path.of(v).toAbsolutePath().normalize());
            if (ws.isPresent() && (p.startsWith(ws.get()) || p.startsWith(real(ws.get())))) {
                return ws;
            }
        }
        Path realParent = real(p.getParent() == null ? p : p.getParent());
        for (Path d = realParent; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(".git"))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    private static void checkOutsideWorkspace(Path target, Environment env, boolean allowWorkspace) {
        if (allowWorkspace) {
            return;
        }
        Optional<Path> ws = enclosingWorkspace(target, env);
        if (ws.isPresent()) {
            throw new ConfigurationException(Diagnosis.builder("Refusing to write a credential configuration inside the "
                            + "checked-out workspace " + ws.get() + ".")
                    .code("gcp.config-in-workspace")
                    .likelyCause("Files in the workspace end up in commits, build artifacts and container images.")
                    .evidence("path", target)
                    .evidence("workspace", ws.get())
                    .fix("Write it elsewhere (by default $RUNNER_TEMP or the system temporary directory), or, if the "
                            + "file is ignored by .gitignore and .dockerignore, allow it explicitly with "
                            + "allowInsideWorkspace(true).")
                    .build());
        }
    }

    private static Path real(Path p) {
        // Resolve symbolic links of the longest existing prefix (/tmp may be a link), keeping the rest as given.
        Path existing = p;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            rest = rest == null ? existing.getFileName() : existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            Path r = existing.toRealPath();
            return rest == null ? r : r.resolve(rest);
        } catch (IOException e) {
            return p;
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
        return PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    }

    private static void restrict(Path file) throws IOException {
        if (posix()) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } else {
            File f = file.toFile();
            // Windows and other non-POSIX file systems: take read and write from everyone, give them back to the owner.
            boolean ok = f.setReadable(false, false) & f.setReadable(true, true)
                    & f.setWritable(false, false) & f.setWritable(true, true);
            if (!ok) {
                throw new IOException("could not restrict permissions of " + file);
            }
        }
    }

    private static ConfigurationException cannotWrite(Path where, IOException e) {
        return new ConfigurationException(Diagnosis.builder("Could not write the credential configuration at " + where + ".")
                .code("gcp.config-write-failed")
                .evidence("error", e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()))
                .fix("Choose a writable directory outside the workspace, e.g. $RUNNER_TEMP.")
                .build(), e);
    }
}
