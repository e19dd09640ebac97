package io.ferry.it;

import io.ferry.it.process.NodeProbe;
import io.ferry.it.process.Workspace;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * What every process suite shares: one {@link NodeProbe} per class, and one {@link Workspace} per
 * test whose node processes are killed after the test however it ended. A test that hangs is
 * interrupted after 180 s (the failure then names the workspace's logs).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
abstract class ProcessSuite {
  static NodeProbe probe;
  Workspace ws;

  @BeforeAll
  static void startProbe() {
    probe = NodeProbe.start();
  }

  @AfterAll
  static void stopProbe() {
    if (probe != null) {
      probe.close();
      probe = null;
    }
  }

  @BeforeEach
  void openWorkspace(TestInfo test) {
    ws = Workspace.open(getClass().getSimpleName(), test.getTestMethod().orElseThrow().getName());
  }

  @AfterEach
  void closeWorkspace() {
    ws.close();
  }
}
