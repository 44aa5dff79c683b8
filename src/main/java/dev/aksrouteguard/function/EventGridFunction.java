package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.EventGridTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;

/** The Event Grid–triggered function: ARM write events in, repairs out. (Being built; see issue 2.) */
public final class EventGridFunction {

    /** The function name, as the event subscription in {@code infra/} must name it. */
    public static final String NAME = "OnResourceWrite";

    @FunctionName(NAME)
    public void run(@EventGridTrigger(name = "event") String event, ExecutionContext context) {
        throw new UnsupportedOperationException("not built yet");
    }
}
