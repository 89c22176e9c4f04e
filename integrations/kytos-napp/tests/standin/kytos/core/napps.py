"""Kytos-ng's KytosNApp base (a Thread whose __init__ loads kytos.json, calls setup() and
collects the methods that have ``events``) and the ``rest`` route decorator."""

import json
import os
import sys
from abc import ABCMeta, abstractmethod
from threading import Thread


def rest(rule, **options):
    def store_route(function):
        function.route_index = getattr(function, "route_index", []) + [(rule, options)]
        return function

    return store_route


class KytosNApp(Thread, metaclass=ABCMeta):
    def __init__(self, controller, **kwargs):
        Thread.__init__(self, daemon=False)
        self.controller = controller
        self.username = None
        self.name = None
        self._load_json()
        self._listeners = {"kytos/core.shutdown": [self._shutdown_handler]}
        self._shut_down = False
        self.setup()
        for method_name in dir(self):
            method = getattr(self, method_name)
            if method_name[0] != "_" and callable(method) and hasattr(method, "events"):
                for event_name in method.events:
                    self._listeners.setdefault(event_name, []).append(method)

    @property
    def napp_id(self):
        return f"{self.username}/{self.name}"

    def listeners(self):
        return list(self._listeners.keys())

    def _load_json(self):
        current_file = sys.modules[self.__class__.__module__].__file__
        with open(os.path.join(os.path.dirname(current_file), "kytos.json"), encoding="utf-8") as data:
            for attribute, value in json.load(data).items():
                setattr(self, attribute, value)

    def run(self):
        self.execute()

    def _shutdown_handler(self, event):  # pylint: disable=unused-argument
        if not self._shut_down:
            self.shutdown()
            self._shut_down = True

    @abstractmethod
    def setup(self): ...

    @abstractmethod
    def execute(self): ...

    @abstractmethod
    def shutdown(self): ...
