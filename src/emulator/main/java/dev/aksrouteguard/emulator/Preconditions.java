package dev.aksrouteguard.emulator;

/**
 * The {@code If-Match} / {@code If-None-Match} headers of a write. ARM compares the etag literally
 * ({@code W/"..."} included); {@code *} matches any existing resource.
 */
record Preconditions(@Nullable String ifMatch, @Nullable String ifNoneMatch) {
    static final Preconditions NONE = new Preconditions(null, null);

    /** @throws ArmError 412 {@code PreconditionFailed} when a condition does not hold */
    void check(@Nullable String currentEtag, boolean exists, String resourceId) {
        if ("*".equals(ifNoneMatch) && exists) {
            throw new ArmError(412, "PreconditionFailed", "Precondition failed.")
                    .detail("PreconditionFailedResourceExists", "The resource " + resourceId + " already exists and "
                            + "the If-None-Match header is '*'.");
        }
        if (ifMatch == null) {
            return;
        }
        if (!exists) {
            throw new ArmError(412, "PreconditionFailed", "Precondition failed.")
                    .detail("PreconditionFailedResourceNotFound", "Etag provided in if-match header " + ifMatch
                            + " was given but resource " + resourceId + " does not exist.");
        }
        if (!ifMatch.equals("*") && !ifMatch.equals(currentEtag)) {
            throw new ArmError(412, "PreconditionFailed", "Precondition failed.")
                    .detail("PreconditionFailedEtagMismatch", "Etag provided in if-match header " + ifMatch
                            + " does not match etag " + currentEtag + " of resource " + resourceId + " in NRP data store.");
        }
    }
}
