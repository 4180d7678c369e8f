/**
 * JMH benchmarks of Keyless's credential providers beside the cloud SDKs' own, against the testkit's loopback
 * emulators, and a fleet simulation of the refresh engine. {@link dev.keyless.benchmarks.RunAll} runs everything
 * and writes a Markdown table; see docs/PERFORMANCE.md.
 */
package dev.keyless.benchmarks;
