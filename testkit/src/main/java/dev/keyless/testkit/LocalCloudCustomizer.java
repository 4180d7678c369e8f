package dev.keyless.testkit;

/**
 * Adjusts the {@link LocalCloud} that {@link LocalCloudTest} starts, e.g. to add an emulator with
 * {@link LocalCloud.Builder#service}. Implementations need a public no-argument constructor.
 */
@FunctionalInterface
public interface LocalCloudCustomizer {
    /** Called before the cloud starts, after the annotation's own settings are applied. */
    void customize(LocalCloud.Builder builder);
}
