/**
 * The refresh engine: keeps any expiring value (cloud credentials, access tokens) fresh, with prefetch,
 * a stale limit, jitter, single flight, background refresh and bounded backoff.
 */
package dev.keyless.core.refresh;
