package io.ferry.devices.vfio;

import akka.actor.typed.javadsl.ActorContext;
import io.ferry.devices.model.DeviceException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Runs one blocking device-model call at a time on the device-io dispatcher and pipes the result
 * back to the actor. Model calls may block (reads wait for the device, arcs take time), so they
 * never run on an actor's thread; and a model is single-threaded like a kernel data_fd, so at most
 * one call is in flight per actor.
 */
final class DeviceIo<C> {
  /** A blocking model call. */
  interface Call<T> {
    T run() throws DeviceException, Exception;
  }

  private final ActorContext<C> ctx;
  private final Executor executor;
  private boolean busy;

  DeviceIo(ActorContext<C> ctx, Executor executor) {
    this.ctx = ctx;
    this.executor = executor;
  }

  boolean busy() {
    return busy;
  }

  /** Must be called by the handler of the result message before starting the next call. */
  void done() {
    busy = false;
  }

  <T> void run(Call<T> call, Function<T, C> onSuccess, Function<Throwable, C> onFailure) {
    if (busy) {
      throw new IllegalStateException("device call already in flight");
    }
    busy = true;
    CompletableFuture<T> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return call.run();
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            executor);
    ctx.pipeToSelf(f, (value, error) -> error == null ? onSuccess.apply(value)
        : onFailure.apply(unwrap(error)));
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
