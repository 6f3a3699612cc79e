"""A message that carries a dossier code is a dossier lookup.

Citizens paste codes with spaces or without dashes ("000.00.20.h37 251114 0123"); the digits
then look like noise to the classifier, which hesitates. The code reader (the same one the
action server uses) finds such codes without ambiguity, so this component, placed after the
classifiers and before FallbackClassifier, routes the message to `lookup_dossier` and adds the
normalised `dossier_code` entity.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.onestop.codes import read_dossier_code

LOOKUP_INTENT = "lookup_dossier"
ENTITY = "dossier_code"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DossierCodeRouter(GraphComponent):
    """Sets intent `lookup_dossier` (confidence 1) when the text contains a dossier code."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DossierCodeRouter":
        """Creates the router (nothing to train)."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Routes messages with a dossier code to the lookup."""
        for message in messages:
            route(message)
        return messages


def route(message: Message) -> None:
    """Set the lookup intent and the normalised code entity on one message."""
    reading = read_dossier_code(message.get(TEXT))
    code = reading.code
    if not code:
        return
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != LOOKUP_INTENT]
    intent = {"name": LOOKUP_INTENT, "confidence": 1.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [dict(intent)] + ranking, add_to_output=True)
    entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != ENTITY]
    entities.append(
        {"entity": ENTITY, "start": reading.start, "end": reading.end, "value": code, "extractor": "DossierCodeRouter"}
    )
    message.set(ENTITIES, entities, add_to_output=True)
