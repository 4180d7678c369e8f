package dev.keyless.core;

/** The real process environment: the only production class allowed to call {@link System#getenv(String)}. */
final class SystemEnvironment implements Environment {
    static final SystemEnvironment INSTANCE = new SystemEnvironment();

    private SystemEnvironment() {
    }

    @Override
    public String raw(String name) {
        return System.getenv(name);
    }

    @Override
    public String toString() {
        return "Environment.system()";
    }
}
