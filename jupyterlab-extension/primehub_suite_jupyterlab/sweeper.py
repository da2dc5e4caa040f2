"""A periodic task of the extension that lives exactly as long as the extension: started by
``start()`` once the server's event loop runs, and gone after ``await stop()``, with a round in
progress cancelled rather than left running."""

import asyncio
import logging
from typing import Awaitable, Callable, Optional


class Sweeper:
    """Runs ``work()`` every ``interval`` seconds (counted from the end of the previous round, so
    rounds never overlap). A round that fails is logged and the next one runs as planned."""

    def __init__(self, interval: float, work: Callable[[], Awaitable[None]], log: logging.Logger):
        self.interval = interval
        self._work = work
        self._log = log
        self._task: Optional["asyncio.Task[None]"] = None
        self.rounds = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="primehub-suite snapshot sweeper")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._work()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - one bad round must not end the sweeps
                self._log.exception("primehub_suite_jupyterlab: snapshot sweep failed")
            self.rounds += 1
