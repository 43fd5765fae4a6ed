package io.gpucloud.service.temporal;

import io.gpucloud.activities.SearchAttributeKeys;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the code needs of a Temporal namespace: that it exists, and that it maps the Keyword search
 * attributes the workflows are started and upserted with ({@link SearchAttributeKeys}). The dev server gets
 * them from its start-dev flags; a real cluster gets them from {@code service.jar temporal-setup
 * config.yml} ({@link #apply}), idempotently. The service checks them at start ({@link #check}).
 */
public final class TemporalSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TemporalSetup.class);

  /** Every search attribute the code sets: the contract's keys, all Keyword. */
  public static final List<SearchAttributeKey<String>> KEYWORDS = List.of(SearchAttributeKeys.HOST_NAME,
      SearchAttributeKeys.INSTANCE_UUID, SearchAttributeKeys.ACCOUNT, SearchAttributeKeys.QUEUE_STATE);

  /** The command that fixes what {@link #check} finds. */
  public static final String COMMAND = "java -jar service.jar temporal-setup config.yml";

  private static final Duration RPC_DEADLINE = Duration.ofSeconds(10);

  private TemporalSetup() {}

  /** What is missing: empty when the namespace exists and maps every attribute as Keyword. */
  public static List<String> check(WorkflowServiceStubs stubs, String namespace) {
    try (Operator op = new Operator(stubs)) {
      return check(stubs, op, namespace);
    }
  }

  private static List<String> check(WorkflowServiceStubs stubs, Operator op, String namespace) {
    List<String> problems = new ArrayList<>();
    if (!namespaceExists(stubs, namespace)) {
      problems.add("namespace '" + namespace + "' does not exist");
      KEYWORDS.forEach(k -> problems.add("search attribute " + k.getName() + " (Keyword) is not defined"));
      return problems;
    }
    Map<String, IndexedValueType> defined = searchAttributes(op, namespace);
    for (SearchAttributeKey<String> k : KEYWORDS) {
      IndexedValueType t = defined.get(k.getName());
      if (t == null) {
        problems.add("search attribute " + k.getName() + " (Keyword) is not defined");
      } else if (t != IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD) {
        problems.add("search attribute " + k.getName() + " is " + t + ", not Keyword");
      }
    }
    return problems;
  }

  /** The message a refused start gives. */
  public static String refusal(String target, String namespace, List<String> problems) {
    return "Temporal at " + target + " is not set up for this service: " + String.join("; ", problems)
        + ". Run `" + COMMAND + "` (it creates the namespace and the Keyword search attributes "
        + KEYWORDS.stream().map(SearchAttributeKey::getName).toList() + " in namespace '" + namespace
        + "', idempotently), then start the service again.";
  }

  /**
   * Creates the namespace (with {@code retention}) when it is missing and every missing Keyword search
   * attribute; does nothing that is already there. A namespace just registered takes a few seconds to
   * be usable on some servers: adding the attributes is retried until {@code timeout}. Returns what it did.
   */
  public static List<String> apply(WorkflowServiceStubs stubs, String namespace, Duration retention, Duration timeout)
      throws InterruptedException {
    try (Operator op = new Operator(stubs)) {
      return apply(stubs, op, namespace, retention, timeout);
    }
  }

  private static List<String> apply(WorkflowServiceStubs stubs, Operator op, String namespace, Duration retention,
      Duration timeout) throws InterruptedException {
    List<String> done = new ArrayList<>();
    if (!namespaceExists(stubs, namespace)) {
      try {
        stubs.blockingStub().withDeadlineAfter(RPC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .registerNamespace(RegisterNamespaceRequest.newBuilder().setNamespace(namespace)
                .setDescription("GPU cloud orchestrator")
                .setWorkflowExecutionRetentionPeriod(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(retention.toSeconds()))
                .build());
        done.add("namespace '" + namespace + "' registered (retention " + retention.toDays() + " days)");
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
          throw e;
        }
      }
    }
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      try {
        Map<String, IndexedValueType> defined = searchAttributes(op, namespace);
        Map<String, IndexedValueType> missing = new LinkedHashMap<>();
        for (SearchAttributeKey<String> k : KEYWORDS) {
          IndexedValueType t = defined.get(k.getName());
          if (t == null) {
            missing.put(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
          } else if (t != IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD) {
            throw new IllegalStateException("search attribute " + k.getName() + " exists in namespace '" + namespace
                + "' as " + t + ", not Keyword: remove it or rename ours");
          }
        }
        if (!missing.isEmpty()) {
          try {
            op.stubs.blockingStub().withDeadlineAfter(RPC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .addSearchAttributes(AddSearchAttributesRequest.newBuilder().setNamespace(namespace)
                    .putAllSearchAttributes(missing).build());
          } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
              throw e;
            }
          }
          done.add("search attributes " + missing.keySet() + " (Keyword) added to namespace '" + namespace + "'");
        }
        List<String> problems = check(stubs, op, namespace);
        if (problems.isEmpty()) {
          return done;
        }
        throw new IllegalStateException(String.join("; ", problems));
      } catch (RuntimeException e) {
        if (e instanceof IllegalStateException ise && ise.getMessage().contains("not Keyword")) {
          throw e;
        }
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
        // a namespace just registered is not usable yet everywhere (the servers' namespace caches)
        LOG.info("namespace '{}' not ready for search attributes yet ({}); retrying", namespace, e.getMessage());
        Thread.sleep(1000);
      }
    }
  }

  static boolean namespaceExists(WorkflowServiceStubs stubs, String namespace) {
    try {
      stubs.blockingStub().withDeadlineAfter(RPC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The namespace's custom search attributes. */
  private static Map<String, IndexedValueType> searchAttributes(Operator op, String namespace) {
    return op.stubs.blockingStub().withDeadlineAfter(RPC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
        .getCustomAttributesMap();
  }

  /** Operator service stubs over the workflow service stubs' own channel (closing them leaves it open). */
  private static final class Operator implements AutoCloseable {
    final OperatorServiceStubs stubs;

    Operator(WorkflowServiceStubs workflow) {
      this.stubs = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
          .setChannel(workflow.getRawChannel()).validateAndBuildWithDefaults());
    }

    @Override
    public void close() {
      stubs.shutdown();
    }
  }
}
