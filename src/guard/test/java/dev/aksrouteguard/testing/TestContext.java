package dev.aksrouteguard.testing;

import com.microsoft.azure.functions.ExecutionContext;
import java.util.UUID;
import java.util.logging.Logger;

/** The {@link ExecutionContext} a test passes to an annotated function method: its logger is captured. */
public final class TestContext implements ExecutionContext {

    public final LogCapture log = new LogCapture();
    private final String functionName;
    private final String invocationId = UUID.randomUUID().toString();

    public TestContext(String functionName) {
        this.functionName = functionName;
    }

    @Override
    public Logger getLogger() {
        return log.logger();
    }

    @Override
    public String getInvocationId() {
        return invocationId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }
}
