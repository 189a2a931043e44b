"""Aftercare advice in Spanish: the "es" entry of intake.aftercare.ADVICE, same keys as the English.

Written for patients in plain words (usted), not a word-for-word copy of the English; the facts and the
placeholders ({phone}, {emergency_number}, {exercise}, {heat_or_ice}) are the same.
"""

ADVICE_ES: dict = {
    "breathing_warning": {
        "title": "Vigile su respiración",
        "body": [
            "En su cita tratamos una zona cerca de los pulmones.",
            "En casos muy raros, una aguja en esta zona puede dejar escapar aire alrededor de un pulmón.",
            "Llame enseguida al {emergency_number} si nota cualquiera de estas señales:",
        ],
        "signs": [
            "le falta el aire o le cuesta respirar",
            "dolor en el pecho",
            "respira mucho más rápido de lo normal",
            "una tos seca nueva",
            "labios de color azulado",
        ],
        "after": [
            "Esto puede empezar horas después de su cita, incluso al día siguiente.",
            "No espere a ver si mejora y no maneje usted mismo.",
        ],
    },
    "normal": {
        "title": "Qué es normal",
        "intro": (
            "Casi todas las personas sienten dolor después de la punción seca. "
            "Se parece mucho al dolor después de hacer mucho ejercicio."
        ),
        "items": [
            "El dolor suele empezar unas horas después de su cita.",
            "Suele ser mayor el primer o el segundo día.",
            "Casi todo se va en 1 o 2 días. Una molestia leve puede durar hasta 3 días.",
            "La zona puede sentirse sensible, pesada o cansada.",
            "Es común un pequeño moretón donde entró una aguja. Se va solo.",
            "Muchas personas se sienten más sueltas enseguida, doloridas más tarde ese día y mejor al día siguiente.",
        ],
    },
    "self_care": {
        "title": "Cómo cuidarse",
        "items": [
            "Siga moviéndose con suavidad. Un paseo corto es buena idea.",
            "La actividad ligera de todos los días está bien.",
            "{exercise}",
            "{heat_or_ice}",
            "Beba bastante agua. Es un consejo de nuestra clínica.",
            "Si siente sueño, no maneje ni use máquinas hasta que se le pase.",
        ],
        "exercise": {
            "easy_24h": "Tómeselo con calma las primeras 24 horas. Evite el ejercicio fuerte y cargar peso un día.",
            "avoid_24_48h": "Evite el ejercicio fuerte y cargar peso durante 1 o 2 días.",
            "no_restriction": "No tiene que dejar su ejercicio de siempre. Afloje si le duele.",
        },
        "heat_or_ice": {
            "warmth": "El calor puede aliviar el dolor. Pruebe una ducha o un baño tibio, o una bolsa de calor.",
            "ice": "El frío puede aliviar el dolor. Envuelva la bolsa de frío en un paño y úsela hasta 15 minutos.",
            "either": "Una bolsa de calor o de frío puede aliviar el dolor. Use la que le siente mejor.",
        },
    },
    "call_clinic": {
        "title": "Cuándo llamar a la clínica",
        "intro": "Llámenos al {phone} si nota cualquiera de estas cosas:",
        "items": [
            "Enrojecimiento, calor, hinchazón o líquido en un punto de aguja, o un enrojecimiento que se extiende.",
            "Adormecimiento, hormigueo o debilidad que no se va, o que se extiende más allá de la zona tratada.",
            "Un moretón grande o que sigue creciendo. Es más importante si toma medicamentos para diluir la sangre.",
            "Un dolor que empeora en vez de mejorar, o que no ha bajado después de 3 días.",
        ],
    },
    "emergency": {
        "title": "Cuándo llamar al {emergency_number}",
        "intro": "Llame enseguida al {emergency_number} si tiene cualquiera de estas señales:",
        "items": [
            "Le falta el aire o le cuesta respirar.",
            "Dolor en el pecho.",
            "Respira mucho más rápido de lo normal.",
            "Una tos seca nueva.",
            "Labios de color azulado.",
        ],
        "after": "Son muy raras. Pueden empezar horas después de su cita, incluso al día siguiente.",
    },
    "checkin": {
        "soreness": "¿Cuánto le duele ahora la zona tratada?",
        "soreness_low": "0 = no duele",
        "soreness_high": "10 = el peor dolor que se pueda imaginar",
        "trend": "¿El dolor va mejorando, sigue igual o va empeorando?",
        "trends": {"better": "Va mejorando", "same": "Más o menos igual", "worse": "Va empeorando"},
        "red_flags": "¿Tiene ahora alguna de estas señales?",
        "red_flags_help": "Marque todas las que tenga.",
        "none_of_these": "Ninguna de estas",
    },
    "red_flags": {
        "breathing": {
            "question": "Falta de aire, dolor en el pecho, respiración rápida, tos seca nueva o labios azulados",
            "label": "Síntomas en la respiración o el pecho",
            "instruction": "Diga que le hicieron punción seca, y cuándo. No maneje usted mismo.",
        },
        "infection": {
            "question": "Enrojecimiento, calor, hinchazón o líquido en un punto de aguja",
            "label": "Señales de infección",
            "instruction": "Llame hoy a la clínica al {phone}. Hay que revisar un punto de aguja que parece infectado.",
        },
        "nerve": {
            "question": "Adormecimiento, hormigueo o debilidad que dura o se extiende",
            "label": "Adormecimiento, hormigueo o debilidad",
            "instruction": "Llame hoy a la clínica al {phone} para que lo revisemos.",
        },
        "bruise": {
            "question": "Un moretón grande o que sigue creciendo",
            "label": "Moretón grande o que crece",
            "instruction": "Llame hoy a la clínica al {phone}. Díganos si toma medicamentos para diluir la sangre.",
        },
        "soreness_worse": {
            "question": "",
            "label": "El dolor empeora",
            "instruction": "Llame a la clínica al {phone}. A estas alturas el dolor debería ir mejorando.",
        },
        "soreness_not_easing": {
            "question": "",
            "label": "El dolor no baja",
            "instruction": "Llame a la clínica al {phone}. A estas alturas el dolor debería ir bajando.",
        },
    },
    "outcome": {
        "emergency": "Llame ahora al {emergency_number}",
        "clinic": "Llame hoy a la clínica",
        "clinic_closed": "Si la clínica está cerrada y se siente muy mal, llame al {emergency_number}.",
        "flagged": "Hemos marcado sus respuestas para el equipo de la clínica.",
        "none": "Nada de lo que nos dijo necesita atención ahora.",
        "none_more": "Siga los consejos de su página de cuidados. Llámenos al {phone} si tiene dudas.",
    },
}
