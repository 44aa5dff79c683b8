package dev.aksrouteguard.teams;

import java.util.List;

/**
 * The fitting to size: a card's JSON, in a given format, within {@link #BUDGET_BYTES}. A sweep lists at most
 * {@link #MAX_ITEMS} subnets, then as many as fit (found by measuring the serialized bytes), then "and N more"; texts
 * are cut further if even no item fits.
 *
 * <p>Teams refuses messages above about 28 KB ({@link TeamsMessages#MAX_MESSAGE_BYTES}), and Workflows flows have
 * been seen failing near 21 KB, so the budget is 20,000 bytes: well under both, and still room for 25 items.
 */
final class CardSizing {

    /** What one message may use, in UTF-8 bytes of the posted JSON. */
    static final int BUDGET_BYTES = 20_000;

    /** A sweep card lists at most this many subnets; a longer list helps nobody in a channel. */
    static final int MAX_ITEMS = 25;

    private CardSizing() {}

    static String fit(CardContent card, CardFormatter formatter) {
        if (card.stop() != null && formatter.bytes(card) > BUDGET_BYTES) {
            // "Stop it recurring" gives way first: the other tools' fixes, then the fix itself (the pointer stays).
            card = card.withStop(card.stop().withoutHidden());
            if (formatter.bytes(card) > BUDGET_BYTES) {
                card = card.withStop(card.stop().pointerOnly());
            }
        }
        int total = card.items().size();
        int max = Math.min(total, MAX_ITEMS);
        CardContent candidate = withItems(card, max, total);
        if (formatter.bytes(candidate) <= BUDGET_BYTES) {
            return formatter.json(candidate);
        }
        int lo = 0;
        int hi = max - 1; // max does not fit
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (formatter.bytes(withItems(card, mid, total)) <= BUDGET_BYTES) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        candidate = withItems(card, lo, total);
        if (formatter.bytes(candidate) <= BUDGET_BYTES) {
            return formatter.json(candidate);
        }
        CardContent shorter = shorten(candidate, 300);
        if (formatter.bytes(shorter) <= BUDGET_BYTES) {
            return formatter.json(shorter);
        }
        CardContent minimal = new CardContent(CardText.truncate(card.title(), 300), card.tone(), null, List.of(), List.of(),
                null, List.of(), total > 0 ? CardText.more(total) : null, card.links(),
                card.stop() == null ? null : card.stop().pointerOnly());
        return formatter.json(minimal);
    }

    private static CardContent withItems(CardContent card, int n, int total) {
        return card.withItems(n, n < total ? CardText.more(total - n) : null);
    }

    private static CardContent shorten(CardContent card, int max) {
        return new CardContent(CardText.truncate(card.title(), max), card.tone(),
                card.text() == null ? null : CardText.truncate(card.text(), max),
                card.facts().stream().map(f -> new CardContent.Fact(f.label(), CardText.truncate(f.value(), max))).toList(),
                card.notes().stream().map(f -> new CardContent.Fact(f.label(), CardText.truncate(f.value(), max))).toList(),
                card.itemsHeading(), card.items(), card.more(), card.links(), card.stop());
    }
}
