/**
 * Small runnable programs, one use case each. Each runs against the embedded local cloud when the environment names
 * no real cloud, and against the real one through the environment variables its class documentation lists.
 */
package dev.keyless.samples;
