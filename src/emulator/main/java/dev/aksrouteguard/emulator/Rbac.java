package dev.aksrouteguard.emulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Optional role-based access control: a list of allowed actions (with ARM's {@code *} wildcards), each
 * granted at a scope, enforced only for some principals (the guard's identity by default; IaC callers are
 * unrestricted). Off until the first grant.
 */
final class Rbac {
    private final List<Grant> grants = new ArrayList<>();
    private final Set<String> restrictedObjectIds = new HashSet<>(Set.of(Principal.GUARD.objectId()));
    private boolean enabled;

    private record Grant(String scope, String action, Pattern pattern) {
        boolean covers(String requestedAction, String requestedScope) {
            return pattern.matcher(requestedAction).matches() && withinScope(requestedScope);
        }

        private boolean withinScope(String requestedScope) {
            String granted = scope.toLowerCase(Locale.ROOT);
            String requested = requestedScope.toLowerCase(Locale.ROOT);
            return granted.equals("/") || requested.equals(granted) || requested.startsWith(granted + "/");
        }
    }

    /**
     * Maps a request to the RBAC action ARM checks: {@code GET} to {@code <type>/read}, {@code PUT} and
     * {@code PATCH} to {@code /write}, {@code DELETE} to {@code /delete}, {@code POST} to {@code /action};
     * async-operation polls are {@code Microsoft.Network/locations/operations/read}; resource groups are
     * {@code Microsoft.Resources/subscriptions/resourceGroups/...}.
     *
     * @param path the request path; a query string is ignored
     * @throws IllegalArgumentException if the path is not an ARM subscription path
     */
    static String action(String method, String path) {
        Objects.requireNonNull(method, "method == null");
        Objects.requireNonNull(path, "path == null");
        int query = path.indexOf('?');
        ArmPath armPath;
        try {
            armPath = ArmPath.parse(query < 0 ? path : path.substring(0, query));
        } catch (ArmError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String verb = switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD" -> "read";
            case "PUT", "PATCH" -> "write";
            case "DELETE" -> "delete";
            case "POST" -> "action";
            default -> throw new IllegalArgumentException("no RBAC action for method " + method);
        };
        return switch (armPath.scope()) {
            case SUBSCRIPTION -> "Microsoft.Resources/subscriptions/" + verb;
            case RESOURCE_GROUPS, RESOURCE_GROUP -> "Microsoft.Resources/subscriptions/resourceGroups/" + verb;
            case PROVIDER -> armPath.resourceType() + "/" + verb;
        };
    }

    /** The scope ARM names for a request: the resource, or for a collection the scope that holds it. */
    static String scope(ArmPath path) {
        return path.resourceId();
    }

    synchronized void allow(String scope, Set<String> actions) {
        Objects.requireNonNull(scope, "scope == null");
        Objects.requireNonNull(actions, "actions == null");
        for (String action : actions) {
            grants.add(new Grant(scope, action, wildcard(action)));
        }
        enabled = true;
    }

    synchronized void disable() {
        grants.clear();
        enabled = false;
    }

    synchronized void restrict(Set<Principal> principals) {
        restrictedObjectIds.clear();
        principals.forEach(p -> restrictedObjectIds.add(p.objectId()));
    }

    synchronized boolean permits(Principal principal, String action, String scope) {
        if (!enabled || !restrictedObjectIds.contains(principal.objectId())) {
            return true;
        }
        return grants.stream().anyMatch(grant -> grant.covers(action, scope));
    }

    static ArmError authorizationFailed(Principal principal, String action, String scope) {
        return new ArmError(403, "AuthorizationFailed", "The client '" + principal.clientName() + "' with object id '"
                + principal.objectId() + "' does not have authorization to perform action '" + action + "' over scope '"
                + scope + "' or the scope is invalid. If access was recently granted, please refresh your credentials.");
    }

    static ArmError linkedAuthorizationFailed(Principal principal, String action, String scope,
            List<RequestContext.LinkedAction> denied) {
        String actions = denied.stream().map(RequestContext.LinkedAction::action).collect(Collectors.joining(","));
        String scopes = denied.stream().map(RequestContext.LinkedAction::scope).collect(Collectors.joining(","));
        String several = denied.size() > 1 ? "(s)" : "";
        return new ArmError(403, "LinkedAuthorizationFailed", "The client '" + principal.clientName()
                + "' with object id '" + principal.objectId() + "' has permission to perform action '" + action
                + "' on scope '" + scope + "'; however, it does not have permission to perform action" + several + " '"
                + actions + "' on the linked scope(s) '" + scopes + "'" + (denied.size() > 1 ? " (respectively)" : "")
                + " or the linked scope(s) are invalid.");
    }

    private static Pattern wildcard(String action) {
        java.util.StringJoiner regex = new java.util.StringJoiner(".*");
        for (String part : action.split("\\*", -1)) {
            regex.add(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
    }
}
