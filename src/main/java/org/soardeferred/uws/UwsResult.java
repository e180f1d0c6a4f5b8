package org.soardeferred.uws;

/**
 * One {@code uws:result} of a job: its id, the absolute URL of its content ({@code xlink:href}, resolved
 * against the job URL) and, when the server says it, its size in bytes.
 */
public record UwsResult(String id, String href, Long size) {
}
